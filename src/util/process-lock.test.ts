import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { acquireLock, lockState, startedAfter } from "./process-lock.js";

let root: string;
let dir: string;
const DEAD_PID = 4194999; // above Linux's largest pid_max: never a live process

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-lock-"));
  dir = path.join(root, ".agentpkg-busy");
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function staleLock(): void {
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: DEAD_PID, host: os.hostname(), started: Date.now() }));
}

describe("acquireLock", () => {
  it("holds the lock with an owner file, then releases it, leaving nothing behind", async () => {
    const release = await acquireLock(dir, 1000);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "owner.json"), "utf8")).pid).toBe(process.pid);
    expect(await lockState(dir)).toEqual({ state: "held", pid: process.pid });
    await release();
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("refuses with E_BUSY naming the holder after waiting", async () => {
    const release = await acquireLock(dir, 1000);
    await expect(acquireLock(dir, 200)).rejects.toMatchObject({ code: "E_BUSY", message: expect.stringContaining(`pid ${process.pid}`) });
    await release();
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("takes over a lock whose process is gone", async () => {
    staleLock();
    expect((await lockState(dir)).state).toBe("stale");
    const release = await acquireLock(dir, 1000);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "owner.json"), "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("lets exactly one of many waiters in at a time, even when they all find the same stale lock", async () => {
    staleLock();
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const release = await acquireLock(dir, 20_000);
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        done++;
        await release();
      }),
    );
    expect(done).toBe(12);
    expect(most).toBe(1);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe("a live owner on this host", () => {
  afterEach(() => vi.useRealTimers());

  it("is never taken for stale, however long it has held the lock", async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: process.pid, host: os.hostname(), started: Date.now() }));
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 60 * 60 * 1000 }); // an hour later
    expect(await lockState(dir)).toEqual({ state: "held", pid: process.pid });
  });

  it("is a different process when its pid started after the lock was taken (the id was reused)", async () => {
    expect(startedAfter(process.pid, Date.now() - 60 * 60 * 1000)).toBe(true);
    expect(startedAfter(process.pid, Date.now())).toBe(false);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: process.pid, host: os.hostname(), started: Date.now() - 60 * 60 * 1000 }));
    expect((await lockState(dir)).state).toBe("stale");
  });

  it("on another host, only age tells (10 minutes)", async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: process.pid, host: "elsewhere", started: Date.now() - 11 * 60 * 1000 }));
    expect((await lockState(dir)).state).toBe("stale");
    fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify({ pid: process.pid, host: "elsewhere", started: Date.now() }));
    expect((await lockState(dir)).state).toBe("held");
  });
});
