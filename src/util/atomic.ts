// Writes that survive a crash: temp file in the same folder, fsync, rename, fsync of the folder.
// The small-file operations here are synchronous inside their async signatures: one agentpkg run makes
// dozens of them in sequence, and each thread-pool round trip costs several times the call itself
// (DESIGN.md §7). writeTemp stays asynchronous: staging many files overlaps their fsyncs.
import fs from "node:fs/promises";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomHex } from "./hash.js";

/** Temp files never end in .md, so Claude Code never loads a half-written one as an agent. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${randomHex()}.agentpkg-tmp`);
}

export const TEMP_SUFFIX = ".agentpkg-tmp";

/** Write a temp file next to `target` and fsync it; the caller renames it into place. */
export async function writeTemp(target: string, data: string | Buffer, mode = 0o644): Promise<string> {
  const tmp = tempPathFor(target);
  const fh = await fs.open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    rmSync(tmp, { force: true });
    throw err;
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
 */
export async function writeFileAtomic(target: string, data: string | Buffer, o: { durable?: boolean } = {}): Promise<void> {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      writeFileSync(fd, data);
      if (o.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (o.durable !== false) fsyncDirSync(dir);
}
