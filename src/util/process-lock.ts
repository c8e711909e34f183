import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AgentpkgError } from "./errors.js";

interface Owner {
  pid: number;
  host: string;
  started: number;
}

const STALE_AFTER_MS = 10 * 60 * 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(dir: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, "owner.json"), "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

async function isStale(dir: string): Promise<boolean> {
  const owner = await readOwner(dir);
  if (!owner) {
    // the owner file is written right after mkdir; give a racing creator a moment
    const st = await fs.stat(dir).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > 2000;
  }
  if (owner.host === os.hostname() && !alive(owner.pid)) return true;
  return Date.now() - owner.started > STALE_AFTER_MS;
}

/**
 * A mkdir-based lock (atomic on every filesystem): one agentpkg process per scope at a time.
 * A lock left by a dead process is taken over; a live one is waited for, then refused.
 */
export async function acquireLock(dir: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      await fs.mkdir(dir);
      const owner: Owner = { pid: process.pid, host: os.hostname(), started: Date.now() };
      await fs.writeFile(path.join(dir, "owner.json"), JSON.stringify(owner));
      return async () => {
        await fs.rm(dir, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await isStale(dir)) {
      // rename first so two waiters cannot both delete and both take it
      const grave = `${dir}.stale-${process.pid}`;
      await fs.rename(dir, grave).then(
        () => fs.rm(grave, { recursive: true, force: true }),
        () => undefined,
      );
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = await readOwner(dir);
      throw new AgentpkgError("E_BUSY", `another agentpkg process${owner ? ` (pid ${owner.pid})` : ""} is working on ${path.dirname(dir)}`, {
        hint: `wait for it to finish; if none is running, remove ${dir}`,
      });
    }
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
}
