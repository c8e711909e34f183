import fs from "node:fs/promises";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentpkgError } from "./errors.js";
import { TEMP_SUFFIX } from "./atomic.js";
import { randomHex } from "./hash.js";
import { readSmallJson } from "./safe-read.js";

interface Owner {
  pid: number;
  host: string;
  started: number;
}

/** A lock held by a process on another host (a shared folder) cannot be checked: it is taken as gone after this. */
const OTHER_HOST_STALE_AFTER_MS = 10 * 60 * 1000;

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
  return readSmallJson(path.join(dir, "owner.json")) as Owner | undefined;
}

async function isStale(dir: string): Promise<boolean> {
  const owner = await readOwner(dir);
  if (!owner) {
    // only a lock made by an older agentpkg (mkdir, then the owner file) can lack an owner: give it a moment
    const st = await fs.stat(dir).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > 2000;
  }
  // on this host a live owner is never broken, however long it works (an upgrade waiting at a prompt)
  if (owner.host === os.hostname()) return !alive(owner.pid) || startedAfter(owner.pid, owner.started);
  return Date.now() - owner.started > OTHER_HOST_STALE_AFTER_MS;
}

/**
 * Whether the process with this id started after `time` (ms since the epoch): then it is not the one that
 * took the lock, only one that got its id later. Linux only (/proc); elsewhere (or unreadable): false.
 */
export function startedAfter(pid: number, time: number): boolean {
  const started = processStartMs(pid);
  return started !== undefined && started > time + 2000; // /proc's clock ticks and btime are coarse
}

let bootMs: number | undefined | null = null;

function processStartMs(pid: number): number | undefined {
  try {
    if (bootMs === null) {
      const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
      bootMs = btime === undefined ? undefined : Number(btime) * 1000;
    }
    if (bootMs === undefined) return undefined;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? bootMs + ticks * 10 : undefined; // USER_HZ is 100 on every Linux build
  } catch {
    return undefined;
  }
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
