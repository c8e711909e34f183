import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";

/** Temp files never end in .md, so Claude Code never loads a half-written one as an agent. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.agentpkg-tmp`);
}

export const TEMP_SUFFIX = ".agentpkg-tmp";

/** Write a temp file next to `target` and fsync it; the caller renames it into place. */
export async function writeTemp(target: string, data: string | Buffer): Promise<string> {
  const tmp = tempPathFor(target);
  const fh = await fs.open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
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

/** Atomic replace: temp file in the same dir + fsync + rename. Readers see old or new, never torn. */
export async function writeFileAtomic(target: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = await writeTemp(target, data);
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(path.dirname(target));
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
