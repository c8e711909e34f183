// `agentpkg validate`: check agent files the way Claude Code reads them; `--fix` rewrites what is safe.
import fs from "node:fs/promises";
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { tryReadRegularFile, type SafeReadResult } from "../util/safe-read.js";
import { unifiedDiff } from "../util/text-diff.js";
import { scopeFor } from "../project/scope.js";
import { MAX_AGENT_BYTES, type AgentProblem } from "../agent/parse.js";
import { findAgentFiles, type FoundFile } from "../project/agents-dir.js";
import { validateAgentFiles } from "../agent/validate.js";
import { fixAgentText } from "../agent/fix.js";
import { checkRegistryIndex, isShardedRegistry } from "./validate-index.js";

export interface ValidateOptions {
  /** files or directories; none: the scope's .claude/agents */
  paths: string[];
  global?: boolean;
  fix?: boolean;
  dryRun?: boolean;
}

export interface ValidatedFile {
  /** as shown to the user: relative to cwd when inside it */
  path: string;
  problems: AgentProblem[];
  /** --fix: what was (or, with --dry-run, would be) rewritten */
  fixes?: string[];
  diff?: string;
  /** --fix would rewrite it but leaves it alone: why (a symlink, or a file reached through a symlinked folder) */
  notFixed?: string;
  /** a file of a registry's index (not an agent file) */
  index?: boolean;
}

export interface ValidateResult {
  files: ValidatedFile[];
  errors: number;
  warnings: number;
  /** files rewritten by --fix (with --dry-run: files that would be) */
  fixed: number;
  /** files `--fix` would rewrite */
  fixable: number;
  dryRun: boolean;
  /** the folders searched when no path was given */
  searched: string[];
  /** sharded registries whose index was checked (the current folder, or a folder named): problems are in `files` */
  indexes: { dir: string; shards: number }[];
}

/** A file found: with the folder it was found in when walked (its writes must stay in that folder). */
interface Found extends FoundFile {
  root?: string;
}

const isFile = (p: string) => fs.stat(p).then((st) => st.isFile(), () => false);

/** Explicit paths: files as given (any name), directories expanded (a registry's: its agent files). */
async function collect(paths: string[], cwd: string): Promise<Found[]> {
  const out: Found[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st) throw new AgentpkgError("E_NOT_FOUND", `${p}: no such file or directory`);
    if (st.isDirectory()) {
      // a registry checkout: its own top-level Markdown (README.md, CHANGELOG.md) is not an agent
      const registry = await isFile(path.join(abs, "registry.json"));
      for (const f of await findAgentFiles(abs)) if (!registry || path.dirname(f.abs) !== abs) out.push({ ...f, root: abs });
    }
    else out.push({ abs, size: st.size });
  }
  const seen = new Set<string>();
  return out.filter((f) => (seen.has(f.abs) ? false : (seen.add(f.abs), true)));
}

function display(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : abs;
}

interface Loaded {
  found: Found;
  shown: string;
  /** undefined when the file is not read (see `unreadable`) */
  text?: string;
  /** not valid UTF-8: validated, but never rewritten */
  lossy?: boolean;
  /** why the file was not read: too large, or not a regular file (a device or pipe is never read) */
  unreadable?: AgentProblem;
}

/** Why a file cannot be validated, as validate reports it. */
function unreadable(r: Exclude<SafeReadResult, { ok: true }>): AgentProblem {
  if (r.kind === "too-large") return { severity: "error", code: "file-too-large", message: `file is ${r.size} bytes; Claude Code skips agent files over 1 MiB` };
  const why = {
    missing: "file disappeared while validating",
    folder: "file is a folder, not an agent file",
    special: "file is not a regular file (a device, pipe or socket); Claude Code cannot load it as an agent",
    symlink: "file is a symbolic link that cannot be followed",
  }[r.kind];
  return { severity: "error", code: "file-not-regular", message: why };
}

/** Read one file through the safe reader: never more than 1 MiB, never a device, pipe or folder. */
function load(found: FoundFile, shown: string): Loaded {
  const r = tryReadRegularFile(found.abs, { limit: MAX_AGENT_BYTES });
  if (!r.ok) return { found, shown, unreadable: unreadable(r) };
  const text = r.data.toString("utf8");
  return { found, shown, text, lossy: !Buffer.from(text, "utf8").equals(r.data) };
}

interface Fix {
  text: string;
  changes: string[];
  diff: string;
}

/**
 * What fixAgentText would rewrite, per absolute path; without `keep` (no --fix) only which files, so that
 * validating a whole registry does not hold a rewritten copy and a diff of every file.
 */
function planFixes(loaded: Loaded[], keep: boolean): Map<string, Fix | undefined> {
  const out = new Map<string, Fix | undefined>();
  for (const f of loaded) {
    if (f.text === undefined || f.lossy) continue;
    const fixed = fixAgentText(f.text);
    if (fixed.text === f.text || fixed.changes.length === 0) continue;
    if (!keep) {
      out.set(f.found.abs, undefined);
      continue;
    }
    const diff = unifiedDiff(f.text, fixed.text, { oldLabel: `a/${f.shown}`, newLabel: `b/${f.shown}` });
    out.set(f.found.abs, { text: fixed.text, changes: fixed.changes, diff });
  }
  return out;
}

/**
 * Why --fix must not write a file: `--fix` rewrites files in place, never through a symlink (a link in a
 * cloned repository could point at any file of yours) nor in a folder a symlinked folder leads to. The user
 * can name the real file to fix it.
 */
async function writeRefusal(f: Found, cwd: string): Promise<string | undefined> {
  const st = await fs.lstat(f.abs).catch(() => undefined);
  const real = await fs.realpath(f.abs).catch(() => f.abs);
  if (st?.isSymbolicLink()) return `it is a symlink (to ${display(real, cwd)}); to fix that file, name it: agentpkg validate --fix ${display(real, cwd)}`;
  if (f.root !== undefined) {
    const [root, dir] = await Promise.all([fs.realpath(f.root), fs.realpath(path.dirname(f.abs))]);
    const rel = path.relative(root, dir);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return `it is reached through a symlinked folder; to fix that file, name it: agentpkg validate --fix ${display(real, cwd)}`;
  }
  return undefined;
}

export async function runValidate(o: ValidateOptions, deps: Deps): Promise<ValidateResult> {
  let found: Found[];
  const searched: string[] = [];
  if (o.paths.length === 0) {
    const scope = scopeFor(deps, o.global === true);
    searched.push(display(scope.agentsDir, deps.cwd));
    found = (await findAgentFiles(scope.agentsDir)).map((f) => ({ ...f, root: scope.agentsDir }));
  } else {
    found = await collect(o.paths, deps.cwd);
  }
  const loaded = found.map((f) => load(f, display(f.abs, deps.cwd)));
  const candidates = planFixes(loaded, o.fix === true);
  const fixes = new Map<string, Fix>();
  const notFixed = new Map<string, string>();
  if (o.fix) {
    for (const f of loaded) {
      const fx = candidates.get(f.found.abs);
      if (!fx) continue;
      const refusal = await writeRefusal(f.found, deps.cwd);
      if (refusal) notFixed.set(f.found.abs, refusal);
      else fixes.set(f.found.abs, fx);
    }
  }
  // atomic replace in place; the file keeps its mode (a 0600 file stays 0600)
  if (!o.dryRun) for (const [abs, fx] of fixes) await writeFileAtomic(abs, fx.text);
  // After a real fix, report what is left; a dry run reports the files as they are.
  const current = (f: Loaded): string | undefined => (o.dryRun ? f.text : (fixes.get(f.found.abs)?.text ?? f.text));
  const readable = loaded.filter((f) => f.text !== undefined);
  const checked = validateAgentFiles(readable.map((f) => ({ path: f.shown, text: current(f)! })));
  const byPath = new Map(checked.map((c) => [c.path, c.problems]));
  const files: ValidatedFile[] = loaded.map((f) => {
    const problems: AgentProblem[] =
      f.text === undefined ? [f.unreadable!] : (byPath.get(f.shown) ?? []);
    const fx = fixes.get(f.found.abs);
    const refusal = notFixed.get(f.found.abs);
    return { path: f.shown, problems, ...(fx ? { fixes: fx.changes, diff: fx.diff } : {}), ...(refusal ? { notFixed: refusal } : {}) };
  });
  const indexes: ValidateResult["indexes"] = [];
  const registries = o.paths.length === 0 ? [deps.cwd] : o.paths.map((p) => path.resolve(deps.cwd, p));
  for (const dir of registries.filter(isShardedRegistry)) {
    const check = await checkRegistryIndex(dir, deps.env);
    indexes.push({ dir: dir === path.resolve(deps.cwd) ? "." : display(dir, deps.cwd), shards: check.shards });
    const byFile = new Map<string, ValidatedFile>();
    for (const p of check.problems) {
      const shown = display(path.join(dir, ...p.file.split("/")), deps.cwd);
      const f = byFile.get(shown) ?? { path: shown, problems: [], index: true };
      f.problems.push(p.problem);
      byFile.set(shown, f);
    }
    files.push(...byFile.values());
  }
  const count = (s: AgentProblem["severity"]) => files.reduce((n, f) => n + f.problems.filter((p) => p.severity === s).length, 0);
  return {
    files,
    errors: count("error"),
    warnings: count("warning"),
    fixed: fixes.size,
    fixable: candidates.size,
    dryRun: o.dryRun === true,
    searched,
    indexes,
  };
}

/** `file:line: severity code: message`, one line per problem. */
export function formatProblem(file: string, p: AgentProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.severity} ${p.code}: ${p.message}`;
}
