#!/usr/bin/env node
// Builds the CLI: src/bin.ts and everything it imports -> <outdir>/agentpkg.cjs (one CommonJS bundle),
// and src/code-cache-launcher.ts -> <outdir>/bin.cjs, which runs that bundle through a V8 code cache.
// One file instead of ~100 ES modules is most of agentpkg's start-up budget (DESIGN.md §7).
//
//   node scripts/build.mjs [--outdir DIR] [--no-minify]
//   (outdir default: dist; tests and the bench use .build/<name>; --no-minify keeps the bundle readable)
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" }, "no-minify": { type: "boolean", default: false } } });
const outdir = path.resolve(ROOT, values.outdir);

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
  // a smaller file is read faster at every start; identifiers stay, so --verbose stack traces still read
  minifyWhitespace: !values["no-minify"],
  minifySyntax: !values["no-minify"],
  write: false,
};

/**
 * js-yaml 3's !!js/function type loads esprima through an indirect require that no bundler follows;
 * safeLoad/safeDump never use that type, so the bundle does without esprima, like js-yaml's browser build.
 */
const noEsprima = {
  name: "no-esprima",
  setup(build) {
    build.onLoad({ filter: /[\\/]js-yaml[\\/]lib[\\/]js-yaml[\\/]type[\\/]js[\\/]function\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const patched = text.replace("esprima = _require('esprima');", "esprima = undefined;");
      if (patched === text) throw new Error(`${args.path}: js-yaml changed; update the no-esprima step in scripts/build.mjs`);
      return { contents: patched, loader: "js" };
    });
  },
};

/**
 * commander loads node:child_process (~3 ms) at start-up for executable subcommands, which agentpkg never
 * has: load it on first use instead, so commands that never run git do not pay for it.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const line = "const childProcess = require('node:child_process');";
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      if (!text.includes(line)) throw new Error(`${args.path}: commander changed; update the lazy-child-process step in scripts/build.mjs`);
      return { contents: text.replace(line, lazy), loader: "js" };
    });
  },
};

/**
 * `import fs from "node:fs"` becomes `x = __toESM(require("node:fs"), 1)`, which copies every export of the
 * builtin onto a new object as a getter (about 100 for node:fs), once per importing module: 1-2 ms of
 * each start. Where the bundle only ever reads `x.default`, `{ default: require(...) }` is the same thing.
 */
function plainBuiltinImports(text) {
  const decls = new Set(text.match(/\b[A-Za-z_$][\w$]*\s*=\s*__toESM\(require\("node:[\w/]+"\),\s*1\)/g) ?? []);
  for (const decl of decls) {
    const [, name, builtin] = /^([\w$]+)\s*=\s*__toESM\(require\("(node:[\w/]+)"\),\s*1\)$/.exec(decl);
    const uses = text.match(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])(\\.[\\w$]+)?`, "g")) ?? [];
    if (uses.every((u) => u === name || u === `${name}.default`)) text = text.replaceAll(decl, `${name}={default:require("${builtin}")}`);
  }
  return text;
}

const cli = await esbuild.build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: path.join(outdir, "agentpkg.cjs"),
  // the source is ES modules: import.meta.url becomes the bundle's own file URL
  define: { "import.meta.url": "__agentpkg_bundle_url" },
  banner: { js: 'var __agentpkg_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [noEsprima, lazyChildProcess],
});
const bundleText = plainBuiltinImports(cli.outputFiles[0].text);
const hash = createHash("sha256").update(bundleText).digest("hex");

const launcher = await esbuild.build({
  ...common,
  entryPoints: ["src/code-cache-launcher.ts"],
  outfile: path.join(outdir, "bin.cjs"),
  define: { BUNDLE_HASH: JSON.stringify(hash) },
});

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });
fs.writeFileSync(path.join(outdir, "agentpkg.cjs"), bundleText);
for (const file of launcher.outputFiles) fs.writeFileSync(file.path, file.contents);
console.log(`built ${path.relative(ROOT, outdir) || "."}/agentpkg.cjs (${Math.round(bundleText.length / 1024)} KB) and bin.cjs`);
