// Writes that survive a crash: temp file in the same folder, fsync, rename, fsync of the folder.
// The small-file operations here are synchronous inside their async signatures: one agentpkg run makes
// dozens of them in sequence, and each thread-pool round trip costs several times the call itself
// (DESIGN.md §7). writeTemp stays asynchronous: staging many files overlaps their fsyncs.
import fs from "node:fs/promises";
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomHex } from "./hash.js";

/** Temp files never end in .md, so Claude Code never loads a half-written one as an agent. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${randomHex()}.agentpkg-tmp`);
}

export const TEMP_SUFFIX = ".agentpkg-tmp";

/**
 * The exact name tempPathFor gives (`.<name>.<pid>.<8 hex>.agentpkg-tmp`), and its pid: only such
 * entries are agentpkg's to clean up (a user's own `x.agentpkg-tmp` folder is not).
 */
export function tempNamePid(name: string): number | undefined {
  const m = /^\..+\.(\d{1,10})\.[0-9a-f]{8}\.agentpkg-tmp$/.exec(name);
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** The permission bits of an existing regular file (undefined: none there). */
export function modeOf(file: string): number | undefined {
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    return st?.isFile() ? st.mode & 0o777 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * open() applies the umask, which only takes bits away: a mode within 0644 (0644, 0600, 0400) comes out
 * as asked under the usual umasks, so only wider ones (0664, 0755) need a chmod, a thread-pool call saved
 * per staged file otherwise.
 */
function needsChmod(mode: number | undefined): boolean {
  return mode !== undefined && (mode & ~0o644) !== 0;
}

/**
 * Errors from writing through a file descriptor (ENOSPC, EIO) carry no path: give them the temp's, so the
 * message can name the folder.
 */
function withPath(err: unknown, file: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === "object" && e.code && !e.path) e.path = file;
  return err;
}

/**
 * Write a temp file next to `target` and fsync it; the caller renames it into place. The temp takes
 * `mode`, else the mode of the file it will replace (a 0600 file stays 0600), else 0644 less the umask.
 */
export async function writeTemp(target: string, data: string | Buffer, wanted?: number): Promise<string> {
  const tmp = tempPathFor(target);
  const mode = wanted ?? modeOf(target);
  const fh = await fs.open(tmp, "wx", mode ?? 0o644).catch((err: unknown) => {
    throw withPath(err, tmp);
  });
  try {
    if (needsChmod(mode)) await fh.chmod(mode!);
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    rmSync(tmp, { force: true });
    throw withPath(err, tmp);
  }
  await fh.close();
  return tmp;
}

function fsyncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  fsyncDirSync(dir);
}

/**
 * Atomic replace: temp file in the same dir + fsync + rename. Readers see old or new, never torn.
 * `durable: false` skips the fsyncs, for caches that verify what they read (a crash may lose the write).
 * The file keeps its mode (or takes `mode`); a new one gets 0644 less the umask.
 */
export async function writeFileAtomic(target: string, data: string | Buffer | Generator<string | Buffer>, o: { durable?: boolean; mode?: number } = {}): Promise<void> {
  writeFileAtomicSync(target, data, o);
}

/** As writeFileAtomic; `data` may also be a text made part by part as it is written (never whole in memory). */
export function writeFileAtomicSync(target: string, data: string | Buffer | Generator<string | Buffer>, o: { durable?: boolean; mode?: number } = {}): void {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(target);
  const mode = o.mode ?? (o.durable === false ? undefined : modeOf(target));
  try {
    const fd = openSync(tmp, "wx", mode ?? 0o644);
    try {
      if (needsChmod(mode)) fchmodSync(fd, mode!);
      if (typeof data === "string" || Buffer.isBuffer(data)) writeFileSync(fd, data);
      else for (const part of data) writeFileSync(fd, part);
      if (o.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw withPath(err, tmp);
  }
  if (o.durable !== false) fsyncDirSync(dir);
}
