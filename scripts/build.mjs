#!/usr/bin/env node
// Builds the CLI: src/bin.ts and everything it imports -> <outdir>/agentpkg.cjs (one CommonJS bundle, with
// agentpkg.cjs.map), and src/code-cache-launcher.ts -> <outdir>/code-cache-launcher.cjs, which runs that
// bundle through a V8 code cache. One file instead of ~100 ES modules is most of agentpkg's start-up
// budget (DESIGN.md §7). The two dependency patches below each measurably pay (docs/architecture.md,
// "Start-up"): drop one only after measuring with bench/compare.mjs.
//
//   node scripts/build.mjs [--outdir DIR] [--no-minify]
//   (outdir default: dist; tests and the bench use .build/<name>; --no-minify keeps the bundle readable)
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { STAMP_FILE, sourceStamp } from "./source-stamp.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" }, "no-minify": { type: "boolean", default: false } } });
const outdir = path.resolve(ROOT, values.outdir);
// what this build is made from, taken before it starts (scripts/prepare.mjs compares it)
const stamp = sourceStamp(ROOT);

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

const cli = await esbuild.build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: path.join(outdir, "agentpkg.cjs"),
  // the source is ES modules: import.meta.url becomes the bundle's own file URL
  // (on first use: node:url and the conversion cost ~1 ms at every start, and most runs never ask)
  define: { "import.meta.url": "__agentpkg_bundle.url" },
  banner: { js: 'var __agentpkg_bundle = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  // agentpkg.cjs.map: --verbose stack traces name src/*.ts lines (code-cache-launcher.ts turns maps on)
  sourcemap: "linked",
  sourcesContent: false,
  plugins: [noEsprima, lazyChildProcess],
});
const output = (build, ext) => build.outputFiles.find((f) => f.path.endsWith(ext));
const bundleText = output(cli, ".cjs").text;
// an ASCII bundle (esbuild escapes non-ASCII, except in regular expression literals: write \u escapes there) is
// read by the launcher as latin1, a plain copy into a one-byte string; any other character makes it decode
// UTF-8 into a two-byte string, a few milliseconds more at every start
const ascii = !/[^\x00-\x7f]/.test(bundleText);
const hash = createHash("sha256").update(bundleText).digest("hex");

const launcher = await esbuild.build({
  ...common,
  entryPoints: ["src/code-cache-launcher.ts"],
  outfile: path.join(outdir, "code-cache-launcher.cjs"),
  define: { BUNDLE_HASH: JSON.stringify(hash) },
});

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });
fs.writeFileSync(path.join(outdir, "agentpkg.cjs"), bundleText);
fs.writeFileSync(path.join(outdir, "agentpkg.cjs.map"), output(cli, ".map").contents);
fs.writeFileSync(path.join(outdir, "code-cache-launcher.cjs"), output(launcher, ".cjs").contents);
fs.writeFileSync(path.join(outdir, STAMP_FILE), stamp);
const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
const where = path.relative(ROOT, outdir) || ".";
console.log(`built ${where}/agentpkg.cjs (${kb(bundleText.length)}${ascii ? "" : ", not ASCII: read as UTF-8, slower"}, map ${kb(output(cli, ".map").contents.length)}) and ${where}/code-cache-launcher.cjs`);
