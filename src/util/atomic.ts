import fs from "node:fs/promises";
import path from "node:path";
import { randomHex } from "./hash.js";

/** Temp files never end in .md, so Claude Code never loads a half-written one as an agent. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${randomHex()}.agentpkg-tmp`);
}

export const TEMP_SUFFIX = ".agentpkg-tmp";

/** Write a temp file next to `target` and fsync it (unless `durable: false`); the caller renames it into place. */
export async function writeTemp(target: string, data: string | Buffer, o: { durable?: boolean } = {}): Promise<string> {
  const tmp = tempPathFor(target);
  const fh = await fs.open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(data);
    if (o.durable !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await fs.open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

async function renameOrDrop(tmp: string, target: string): Promise<void> {
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Atomic replace: temp file in the same dir + fsync + rename. Readers see old or new, never torn.
 * `durable: false` skips the fsyncs, for caches that verify what they read (a crash may lose the write).
 */
export async function writeFileAtomic(target: string, data: string | Buffer, o: { durable?: boolean } = {}): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  await renameOrDrop(await writeTemp(target, data, o), target);
  if (o.durable !== false) await fsyncDir(path.dirname(target));
}

/**
 * Several atomic replaces that become visible in the order given: all temp files are written and fsynced
 * at once, then renamed one by one, then each folder is synced once.
 */
export async function writeFilesAtomic(files: readonly { target: string; data: string | Buffer }[]): Promise<void> {
  const dirs = [...new Set(files.map((f) => path.dirname(f.target)))];
  await Promise.all(dirs.map((d) => fs.mkdir(d, { recursive: true })));
  const staged = await Promise.allSettled(files.map((f) => writeTemp(f.target, f.data)));
  const temps = staged.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = staged.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(temps.map((t) => fs.rm(t, { force: true })));
    throw failed.reason;
  }
  for (let i = 0; i < files.length; i++) {
    try {
      await renameOrDrop(temps[i]!, files[i]!.target);
    } catch (err) {
      await Promise.all(temps.slice(i + 1).map((t) => fs.rm(t, { force: true })));
      throw err;
    }
  }
  await Promise.all(dirs.map(fsyncDir));
}

/** Read a file, or undefined when it does not exist. */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

/**
 * A project file's text, or undefined when it does not exist (ENOTDIR: `.claude` is a file, which is
 * reported when agentpkg would write there). Other read errors become `describe(err)`.
 */
export async function readTextIfExists(file: string, describe: (err: Error) => Error): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw describe(err as Error);
  }
}
