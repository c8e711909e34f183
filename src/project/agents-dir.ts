import { lstatSync, readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import { sha256 } from "../util/hash.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { AgentpkgError } from "../util/errors.js";
import { READ_LIMITS, refusal, tryReadRegularFile, type RefusedKind } from "../util/safe-read.js";
import { scopeFile, scopeRelative, type Scope } from "./scope.js";
import type { StatCache } from "../store/stat-cache.js";

export type FileState =
  | { kind: "missing" }
  | { kind: "present"; sha256: string; content: Buffer };

/** Far above any agent file (Claude Code skips those over 1 MiB); only a hostile or broken file is larger. */
const MAX_LOCAL_BYTES = READ_LIMITS.localAgent;

/**
 * Only regular files are ever read: a folder, a device (a symlink to /dev/zero) or a pipe at an agent's
 * path is refused instead of read forever. The stat here answers the stat cache; the read itself goes
 * through the safe reader, which checks the opened file again. Reads are synchronous: agent files are
 * small, and 500 of them read in a loop take a fraction of the time of 500 parallel fs.promises round
 * trips (DESIGN.md §7).
 */
function statAgentFile(abs: string, rel: string): import("node:fs").Stats | undefined {
  let st: import("node:fs").Stats | undefined;
  try {
    // a missing file is the common case (a fresh clone): no exception built for it
    st = statSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw err;
  }
  if (!st) return undefined;
  const kind = st.isDirectory() ? "folder" : !st.isFile() ? "special" : st.size > MAX_LOCAL_BYTES ? "too-large" : undefined;
  if (kind) throw refuseAgentFile({ kind, size: st.size }, rel);
  return st;
}

function refuseAgentFile(r: { kind: RefusedKind; size?: number }, rel: string): AgentpkgError {
  return refusal(r, MAX_LOCAL_BYTES, { display: rel, code: r.kind === "folder" ? "E_IO" : "E_UNSAFE", what: "an agent file", hint: `move ${rel} away, then re-run` });
}

/** The bytes of an agent file whose stat passed statAgentFile; undefined when it vanished since. */
function readChecked(abs: string, rel: string): Buffer | undefined {
  const r = tryReadRegularFile(abs, { limit: MAX_LOCAL_BYTES });
  if (r.ok) return r.data;
  if (r.kind === "missing") return undefined;
  throw refuseAgentFile(r, rel);
}

/** The file at `rel` as it is now, with its content. */
export async function readAgentFile(scope: Scope, rel: string): Promise<FileState> {
  const abs = scopeFile(scope, rel);
  const content = statAgentFile(abs, rel) && readChecked(abs, rel);
  if (!content) return { kind: "missing" };
  return { kind: "present", sha256: sha256(content), content };
}

/**
 * sha256 of each file (null when missing), with the same checks as readAgentFile. With a StatCache,
 * files whose stat is unchanged are not read again: use it for "has anything changed" questions only.
 */
export function hashAgentFiles(scope: Scope, files: Iterable<string>, cache?: StatCache): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const rel of files) {
    const abs = scopeFile(scope, rel);
    const st = statAgentFile(abs, rel);
    if (!st) {
      out.set(rel, null);
      continue;
    }
    const known = cache?.lookup(rel, st);
    if (known) {
      out.set(rel, known);
      continue;
    }
    const content = readChecked(abs, rel);
    const hash = content ? sha256(content) : null;
    if (hash) cache?.record(rel, st, hash);
    out.set(rel, hash);
  }
  return out;
}

/**
 * The text of a file Claude Code would load as an agent, or undefined: missing, over 1 MiB (Claude Code
 * skips it), or not a regular file (a device or pipe is never read). For scans that only look at names.
 */
export function readLoadableAgentText(abs: string): string | undefined {
  const r = tryReadRegularFile(abs, { limit: MAX_AGENT_BYTES });
  return r.ok ? r.data.toString("utf8") : undefined;
}

/**
 * The agents folder's loadable files (see findAgentFiles), relative to the scope root, sorted. `except`:
 * paths (as returned here) just found to be regular files, left out without asking their type again
 * (verify's quick answer lists only the files it does not track).
 */
export async function listAgentFiles(scope: Scope, except?: ReadonlySet<string>): Promise<string[]> {
  const prefix = scope.root + path.sep;
  const native = (abs: string) => (!scope.configDir && abs.startsWith(prefix) ? abs.slice(prefix.length) : scopeRelative(scope, abs));
  const rel = path.sep === "/" ? native : (abs: string) => native(abs).split(path.sep).join("/");
  const skipFile = except && ((abs: string) => except.has(rel(abs)));
  const found = await findAgentFiles(scope.agentsDir, { sizes: false, skipFile });
  return found.map((f) => rel(f.abs)).sort();
}

/** Directories are walked the way Claude Code walks an agents folder (symlink loops end at the seen set). */
const MAX_DEPTH = 16;

export interface FoundFile {
  abs: string;
  /** size in bytes (stat follows symlinks) */
  size: number;
}

/**
 * Every file Claude Code would load under `dir`: walked recursively, names ending in `.md`
 * (case-sensitive), dotfiles included, symlinks followed (each real folder visited once). With `all`,
 * every regular file (a skill's scripts and references).
 */
export async function findAgentFiles(dir: string, o: { sizes?: boolean; all?: boolean; skipFile?: (abs: string) => boolean } = {}): Promise<FoundFile[]> {
  const out: FoundFile[] = [];
  const seen = new Set<string>();
  // synchronous calls: a folder of 5,000 agents is walked in a few milliseconds, and node:fs/promises is not
  // loaded for it (~2 ms at start-up, for `verify`)
  const walk = (d: string, depth: number): void => {
    const real = attempt(() => realpathSync.native(d));
    if (!real || seen.has(real) || depth > MAX_DEPTH) return;
    seen.add(real);
    for (const [name, e] of entriesOf(d, o.skipFile)) {
      const abs = d + path.sep + name; // path.join, without normalising 500 times what is already normal
      const st = e.isSymbolicLink() ? attempt(() => statSync(abs)) : undefined;
      if (e.isDirectory() || st?.isDirectory()) walk(abs, depth + 1);
      else if ((o.all || name.endsWith(".md")) && (e.isFile() || st?.isFile())) {
        out.push({ abs, size: o.sizes === false ? 0 : (st?.size ?? statSync(abs).size) });
      }
    }
  };
  walk(dir, 0);
  return out;
}

type Kind = Pick<Dirent, "isSymbolicLink" | "isDirectory" | "isFile">;

/**
 * A folder's entries sorted by name, each with its type as lstat (and so a Dirent) gives it. With
 * `skipFile`, only names are read: a name it accepts (a file the caller knows to be a regular file) is
 * left out, any other is lstat'ed. 5,000 names cost less than 5,000 Dirents.
 */
function entriesOf(d: string, skipFile: ((abs: string) => boolean) | undefined): [string, Kind][] {
  if (!skipFile) {
    const entries = attempt(() => readdirSync(d, { withFileTypes: true })) ?? [];
    return entries.map((e): [string, Kind] => [e.name, e]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  const names = (attempt(() => readdirSync(d)) ?? []).sort();
  const out: [string, Kind][] = [];
  for (const name of names) {
    const abs = d + path.sep + name;
    const kind = skipFile(abs) ? undefined : attempt(() => lstatSync(abs));
    if (kind) out.push([name, kind]);
  }
  return out;
}

/** `f()`, or undefined when it throws (a folder that vanished or cannot be read is skipped, as before). */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
