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
import { addDuplicateNames, checkAgentFile, type CheckedAgentFile } from "../agent/validate.js";
import { fixAgentText } from "../agent/fix.js";
import { checkRegistryIndex, isShardedRegistry } from "./validate-index.js";
import { withSmallYoungGeneration } from "../util/small-young-generation.js";

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
  /** found in a registry checkout (a folder with registry.json) */
  registry?: boolean;
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
      for (const f of await findAgentFiles(abs)) if (!registry || path.dirname(f.abs) !== abs) out.push({ ...f, root: abs, registry });
    } else out.push({ abs, size: st.size });
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

/** What fixAgentText would rewrite in a file, if anything (never in a file that is not valid UTF-8). */
function fixFor(text: string, lossy: boolean | undefined): { text: string; changes: string[] } | undefined {
  if (lossy) return undefined;
  const fixed = fixAgentText(text);
  return fixed.text === text || fixed.changes.length === 0 ? undefined : { text: fixed.text, changes: fixed.changes };
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
  // a whole registry's files parse into millions of short-lived objects: keep the heap from growing for them
  return withSmallYoungGeneration(() => validate(o, deps), { optimizeForSize: true });
}

async function validate(o: ValidateOptions, deps: Deps): Promise<ValidateResult> {
  let found: Found[];
  const searched: string[] = [];
  if (o.paths.length === 0) {
    const scope = scopeFor(deps, o.global === true);
    searched.push(display(scope.agentsDir, deps.cwd));
    found = (await findAgentFiles(scope.agentsDir)).map((f) => ({ ...f, root: scope.agentsDir }));
  } else {
    found = await collect(o.paths, deps.cwd);
  }
  // one file at a time: only its problems (and, under --fix, its diff) are kept, never every text
  const checked: CheckedAgentFile[] = [];
  const files: ValidatedFile[] = [];
  let fixable = 0;
  let fixed = 0;
  for (const f of found) {
    const l = load(f, display(f.abs, deps.cwd));
    if (l.text === undefined) {
      files.push({ path: l.shown, problems: [l.unreadable!] });
      continue;
    }
    const fx = fixFor(l.text, l.lossy);
    if (fx) fixable++;
    const refusal = fx && o.fix ? await writeRefusal(f, deps.cwd) : undefined;
    const fixing = fx && o.fix && !refusal ? fx : undefined;
    // atomic replace in place; the file keeps its mode (a 0600 file stays 0600). After a real fix, what is
    // left is reported; a dry run reports the file as it is.
    if (fixing && !o.dryRun) await writeFileAtomic(f.abs, fixing.text);
    const c = checkAgentFile(l.shown, fixing && !o.dryRun ? fixing.text : l.text, { registry: f.registry });
    checked.push(c); // its problems array is the one files gets: addDuplicateNames adds to it
    const diff = fixing && unifiedDiff(l.text, fixing.text, { oldLabel: `a/${l.shown}`, newLabel: `b/${l.shown}` });
    files.push({ path: l.shown, problems: c.problems, ...(fixing ? { fixes: fixing.changes, diff } : {}), ...(refusal ? { notFixed: refusal } : {}) });
    if (fixing) fixed++;
  }
  addDuplicateNames(checked);
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
    fixed,
    fixable,
    dryRun: o.dryRun === true,
    searched,
    indexes,
  };
}

/** `file:line: severity code: message`, one line per problem. */
export function formatProblem(file: string, p: AgentProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.severity} ${p.code}: ${p.message}`;
}
