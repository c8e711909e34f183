// Packages run by name through a runner (npx -y, uvx, pnpm dlx ...): fetched and run at whatever version a
// registry serves at each start, unless pinned.
import { unquote } from "./commands.js";
import { visible } from "./text.js";

const RUNNER = /(?<![\w./-])(npx|bunx|pnpx|uvx|(?:pnpm|yarn|bun)\s+dlx|pipx\s+run)(?![\w.-])/gi;
const EXACT = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;
/** runner options that take a value (the value is not the package) */
const VALUE_OPTS = new Set(["--registry", "--cache", "--userconfig", "--python", "--with", "--index-url", "-i", "--index", "--spec", "--call", "-c", "--shell"]);

/** The package a runner runs, e.g. `@scope/pkg@1.2.3`. */
function packageSpec(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "-p" || w === "--package" || w === "--from") return words[i + 1];
    if (w.startsWith("--package=") || w.startsWith("--from=")) return w.slice(w.indexOf("=") + 1);
    if (VALUE_OPTS.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith("-")) continue;
    return w;
  }
  return undefined;
}

function isPinned(spec: string, python: boolean): boolean {
  if (python) {
    const m = /^[\w.[\],-]+(?:==|@)(.+)$/.exec(spec);
    return m !== null && /^\d+(?:\.\d+)*(?:[a-z]+\d*)?$/i.test(m[1]!);
  }
  const at = spec.lastIndexOf("@");
  return at > 0 && EXACT.test(spec.slice(at + 1));
}

const TAGGED = /.@(?:latest|next|canary|beta|\*|x)$/;
/** Package runs looked at per command, at most. */
const MAX_RUNS = 20;

/**
 * `npx -y pkg`, `uvx pkg`, `pnpm dlx pkg@latest`: packages fetched and run at whatever version is current.
 * A plain `npx pkg` is left alone: it runs the project's own dependency when there is one (hooks that run
 * `npx prettier` are common); with -y/--yes, or a tag such as @latest, it is meant to fetch.
 */
export function unpinnedPackages(cmd: string): string[] {
  const out: string[] = [];
  let seen = 0;
  for (const m of cmd.matchAll(RUNNER)) {
    if (++seen > MAX_RUNS) break;
    const runner = m[1]!.toLowerCase().replace(/\s+/g, " ");
    const after = cmd.slice(m.index + m[0].length, m.index + m[0].length + 1000).split(/;|&&|\|\||\||\n/)[0]!;
    const words = after.trim().split(/\s+/).map(unquote).filter(Boolean);
    const spec = packageSpec(words);
    if (spec === undefined || /^(?:\.|\/|~|file:)/.test(spec)) continue;
    const python = runner === "uvx" || runner === "pipx run";
    if (isPinned(spec, python)) continue;
    const fetches = runner !== "npx" && runner !== "pnpx" ? true : words.some((w) => w === "-y" || w === "--yes") || TAGGED.test(spec);
    if (!fetches) continue;
    const registry = python ? "PyPI" : "the npm registry";
    const how = TAGGED.test(spec) ? `asks for ${visible(spec, 60)}` : "has no exact version";
    out.push(`${runner} ${visible(spec, 60)} ${how}: it runs whatever version ${registry} serves at each start; pin one (${python ? "pkg==1.2.3" : "pkg@1.2.3"})`);
  }
  return out;
}
