import fs from "node:fs/promises";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentpkgError } from "./errors.js";
import { TEMP_SUFFIX } from "./atomic.js";
import { randomHex } from "./hash.js";
import { tryReadRegularFile } from "./safe-read.js";

interface Owner {
  pid: number;
  host: string;
  started: number;
}

const STALE_AFTER_MS = 10 * 60 * 1000;

/** Whether a process with this id runs on this host (EPERM: it does, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(dir: string): Promise<Owner | undefined> {
  try {
    const r = tryReadRegularFile(path.join(dir, "owner.json"), { limit: 64 * 1024 });
    return r.ok ? (JSON.parse(r.data.toString("utf8")) as Owner) : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(dir: string): Promise<boolean> {
  const owner = await readOwner(dir);
  if (!owner) {
    // only a lock made by an older agentpkg (mkdir, then the owner file) can lack an owner: give it a moment
    const st = await fs.stat(dir).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > 2000;
  }
  if (owner.host === os.hostname() && !alive(owner.pid)) return true;
  return Date.now() - owner.started > STALE_AFTER_MS;
}

/**
 * A directory lock (atomic on every filesystem): one agentpkg process per scope at a time. The lock
 * directory is built aside with its owner file and renamed into place, so a lock never lacks an owner.
 * A lock left by a dead process is taken over (one breaker at a time); a live one is waited for, then refused.
 */
export async function acquireLock(dir: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  // synchronous while uncontended: a handful of tiny operations (see util/atomic.ts)
  mkdirSync(path.dirname(dir), { recursive: true });
  const staged = `${dir}.${process.pid}.${randomHex()}${TEMP_SUFFIX}`;
  mkdirSync(staged);
  try {
    for (;;) {
      const owner: Owner = { pid: process.pid, host: os.hostname(), started: Date.now() };
      writeFileSync(path.join(staged, "owner.json"), JSON.stringify(owner));
      try {
        renameSync(staged, dir);
        return () => removeLockDir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EEXIST" && code !== "ENOTEMPTY" && code !== "ENOTDIR") throw err;
      }
      if (await isStale(dir)) {
        await breakStale(dir);
        continue;
      }
      if (Date.now() >= deadline) {
        const held = await readOwner(dir);
        throw new AgentpkgError("E_BUSY", `another agentpkg process${held ? ` (pid ${held.pid})` : ""} is working on ${path.dirname(dir)}`, {
          hint: `wait for it to finish; if none is running, remove ${dir}`,
        });
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 75));
    }
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}

/**
 * Move a lock folder aside, then delete it. Deleting in place would empty it first, and an empty folder
 * can be replaced by another process's rename: that process would hold a lock we then delete.
 */
async function removeLockDir(dir: string): Promise<void> {
  const grave = `${dir}.${process.pid}.${randomHex()}${TEMP_SUFFIX}`;
  try {
    renameSync(dir, grave);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  rmSync(grave, { recursive: true, force: true });
}

/**
 * Remove a stale lock. Only the holder of `<dir>.break` may, and it checks staleness again while holding
 * it, so two waiters can never both remove a lock (the second would remove the first one's fresh lock).
 */
async function breakStale(dir: string): Promise<void> {
  const breaker = `${dir}.break`;
  try {
    await fs.mkdir(breaker);
  } catch {
    const st = await fs.stat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10_000) await fs.rm(breaker, { recursive: true, force: true });
    return;
  }
  try {
    if (await isStale(dir)) await removeLockDir(dir);
  } finally {
    await fs.rm(breaker, { recursive: true, force: true });
  }
}

/** What holds a lock directory now: nobody, a live process, or a dead one (stale). */
export async function lockState(dir: string): Promise<{ state: "free" | "held" | "stale"; pid?: number }> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st) return { state: "free" };
  const owner = await readOwner(dir);
  return { state: (await isStale(dir)) ? "stale" : "held", pid: owner?.pid };
}
