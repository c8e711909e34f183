// The one reader for files agentpkg does not control: project files (manifest, lockfile, journal, agent
// files), registry files on disk, bundles and tarballs, and what `validate` is pointed at.
//
// A symlink to a regular file is fine (projects use them), but a path may also lead to /dev/zero (read
// forever), /dev/urandom, a FIFO or /dev/stdin (wait forever), or a folder. So: stat first (a device is
// refused without ever being opened: opening some has side effects), open with O_NONBLOCK (opening a
// FIFO never waits for a writer), fstat the opened fd (the file that is actually read, whatever was
// swapped in since the stat), refuse anything that is not a regular file, and read at most limit + 1
// bytes (a file that grows past its stat size is still caught).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { AgentpkgError, type ErrorCode } from "./errors.js";

export interface SafeReadOptions {
  /** the largest file accepted, in bytes */
  limit: number;
  /** refuse a symlink at the path itself (registry files: a symlink there is never followed) */
  noFollow?: boolean;
}

export type RefusedKind = "folder" | "special" | "symlink" | "too-large";

export type SafeReadResult =
  | { ok: true; data: Buffer }
  | { ok: false; kind: "missing" }
  | { ok: false; kind: RefusedKind; size?: number };

const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function kindOf(st: Stats, limit: number): RefusedKind | undefined {
  if (st.isSymbolicLink()) return "symlink";
  if (st.isDirectory()) return "folder";
  if (!st.isFile()) return "special";
  return st.size > limit ? "too-large" : undefined;
}

const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
};

/** Read a regular file of at most `limit` bytes; anything else is described, never read. Other I/O errors throw. */
export function tryReadRegularFile(file: string, o: SafeReadOptions): SafeReadResult {
  const r = tryOpenRegularFile(file, o);
  if (!r.ok) return r;
  try {
    return readAtMost(r.fd, o.limit, r.size);
  } finally {
    closeSync(r.fd);
  }
}

/**
 * Open a regular file of at most `limit` bytes (by its size when opened) with the checks of
 * tryReadRegularFile, to read it in parts; the caller closes the fd.
 */
export function tryOpenRegularFile(file: string, o: SafeReadOptions): { ok: true; fd: number; size: number } | Exclude<SafeReadResult, { ok: true }> {
  let st: Stats | undefined;
  try {
    st = o.noFollow ? lstatSync(file, { throwIfNoEntry: false }) : statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === "ELOOP") return { ok: false, kind: "missing" };
    throw err;
  }
  if (!st) return { ok: false, kind: "missing" };
  const early = kindOf(st, o.limit);
  if (early) return { ok: false, kind: early, size: st.size };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | O_NONBLOCK | (o.noFollow ? O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (isMissing(err)) return { ok: false, kind: "missing" };
    if (code === "ELOOP" || code === "EMLINK") return { ok: false, kind: "symlink" }; // O_NOFOLLOW met a symlink swapped in
    if (code === "ENXIO" || code === "EISDIR") return { ok: false, kind: code === "EISDIR" ? "folder" : "special" };
    throw err;
  }
  let opened: Stats;
  try {
    opened = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const late = kindOf(opened, o.limit);
  if (late) {
    closeSync(fd);
    return { ok: false, kind: late, size: opened.size };
  }
  return { ok: true, fd, size: opened.size };
}

function readAtMost(fd: number, limit: number, expected: number): SafeReadResult {
  let buf = Buffer.allocUnsafe(Math.min(expected, limit) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > limit) return { ok: false, kind: "too-large", size: n };
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  if (n > limit) return { ok: false, kind: "too-large", size: n };
  return { ok: true, data: buf.subarray(0, n) };
}

export interface RefusalOptions {
  /** the file as the user should see it (relative to the project, or a label) */
  display: string;
  /** error code; E_UNSAFE (exit 1) by default */
  code?: ErrorCode;
  /** what the file should be, with its article: "an agent file" ("is a folder, not an agent file") */
  what?: string;
  /** appended to the message; default "; nothing was changed" */
  suffix?: string;
  hint?: string;
}

/** The one-line error for a refused file, e.g. `.claude/agentpkg.lock is not a regular file (a device, pipe or socket); nothing was changed`. */
export function refusal(r: { kind: RefusedKind; size?: number }, limit: number, o: RefusalOptions): AgentpkgError {
  const why: Record<RefusedKind, string> = {
    folder: `is a folder, not ${o.what ?? "a file"}`,
    special: "is not a regular file (a device, pipe or socket)",
    symlink: "is a symbolic link, which is never followed here",
    "too-large": `is ${r.size === undefined ? "" : `${r.size} bytes, `}over the ${limit}-byte limit`,
  };
  return new AgentpkgError(o.code ?? "E_UNSAFE", `${o.display} ${why[r.kind]}${o.suffix ?? "; nothing was changed"}`, {
    hint: o.hint ?? `move ${o.display} away (or replace it with a regular file), then re-run`,
  });
}

/** The file's bytes, or undefined when it does not exist; a refused file throws `refusal(...)`. */
export function readRegularFileIfExists(file: string, o: SafeReadOptions & RefusalOptions): Buffer | undefined {
  const r = tryReadRegularFile(file, o);
  if (r.ok) return r.data;
  if (r.kind === "missing") return undefined;
  throw refusal(r, o.limit, o);
}

/** Limits of the readers (bytes). Far above any legitimate file; only a hostile or broken file reaches them. */
export const READ_LIMITS = {
  /** agentpkg.json, agentpkg.lock, the journal: 500 agents take ~150 KB */
  projectFile: 16 * 1024 * 1024,
  /** an agent file in the project (Claude Code itself skips those over 1 MiB) */
  localAgent: 16 * 1024 * 1024,
  /** registry.json of a registry on disk */
  registryIndex: 64 * 1024 * 1024,
} as const;

/**
 * A small JSON file agentpkg keeps for itself (a lock's owner, a mirror's meta): its parsed value, or
 * undefined when it is absent, not a regular file, over 64 KiB or not JSON. The caller checks the shape.
 */
export function readSmallJson(file: string): unknown {
  try {
    const r = tryReadRegularFile(file, { limit: 64 * 1024 });
    return r.ok ? (JSON.parse(r.data.toString("utf8")) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
