import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureMirror, mirrorDir, offlineGitEnv, prefetchBlobs, type Mirror } from "./git-mirrors.js";
import { cloneAndDetect } from "./first-clone.js";

describe("mirrorDir", () => {
  it("names a mirror by the url's last segment and a hash of the url", () => {
    expect(mirrorDir("/c", "https://github.com/acme/agents.git")).toMatch(/^\/c\/git\/agents-[0-9a-f]{16}$/);
    expect(mirrorDir("/c", "git@github.com:acme/agents.git", true)).toMatch(/^\/c\/git\/agents-[0-9a-f]{16}-history$/);
  });

  it("never puts a secret in a folder name, not even hashed", () => {
    for (const url of ["https://deploy:s3cret@host", "https://deploy:s3cret@host/reg.git"]) {
      const dir = mirrorDir("/c", url);
      expect(dir).not.toMatch(/s3cret|deploy/);
      expect(dir).toBe(mirrorDir("/c", url.replace("deploy:s3cret", "***")));
    }
  });
});

describe("partial mirrors (real git repositories)", () => {
  const temps: string[] = [];
  const temp = (prefix: string) => {
    temps.push(mkdtempSync(path.join(tmpdir(), prefix)));
    return temps.at(-1)!;
  };
  afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const sh = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).trim();

  /** A registry-like repository with two files; `allowFilter`: its server side accepts --filter. */
  function repo(allowFilter: boolean): string {
    const dir = temp("agentpkg-partial-");
    sh(dir, "init", "-q", "-b", "main");
    writeFileSync(path.join(dir, "a.md"), "a\n");
    writeFileSync(path.join(dir, "b.md"), "b\n");
    sh(dir, "add", ".");
    sh(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
    if (allowFilter) sh(dir, "config", "uploadpack.allowFilter", "true");
    return dir;
  }

  const present = (m: Mirror, oid: string) => {
    try {
      execFileSync("git", ["cat-file", "-e", oid], { cwd: m.dir, env: offlineGitEnv(process.env), stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };

  it("clones trees without blobs where the server allows it, fetches blobs at once, and never offline", async () => {
    const src = repo(true);
    const cache = temp("agentpkg-cache-");
    const m = await ensureMirror(`file://${src}`, { cache, env: process.env, policy: "always", ttlMs: 0 });
    const [a, b] = [sh(src, "rev-parse", "HEAD:a.md"), sh(src, "rev-parse", "HEAD:b.md")];
    expect([present(m, a), present(m, b)]).toEqual([false, false]);
    await expect(prefetchBlobs(m, [a], process.env, true)).rejects.toMatchObject({ code: "E_OFFLINE" });
    await prefetchBlobs(m, [a, b], process.env, false);
    expect([present(m, a), present(m, b)]).toEqual([true, true]);
    await prefetchBlobs(m, [a], process.env, true); // present: no error, no network
  });

  it("gets every blob from a server without filter support, as a plain shallow clone", async () => {
    const src = repo(false);
    const cache = temp("agentpkg-cache-");
    const m = await ensureMirror(`file://${src}`, { cache, env: process.env, policy: "always", ttlMs: 0 });
    expect(present(m, sh(src, "rev-parse", "HEAD:a.md"))).toBe(true);
  });

  it("a first clone deepened into a history mirror gets its head's blobs too", async () => {
    const src = repo(true);
    writeFileSync(path.join(src, "a.md"), "a2\n");
    sh(src, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two");
    const cache = temp("agentpkg-cache-");
    const look = async (dir: string) => ({ commit: sh(dir, "rev-parse", "HEAD"), history: true });
    const m = (await cloneAndDetect(`file://${src}`, { cache, env: process.env }, look))!;
    expect(m.history).toBe(true);
    const missing = execFileSync("git", ["rev-list", "--objects", "--missing=print", "--all"], { cwd: m.dir, encoding: "utf8" });
    expect(missing.split("\n").filter((l) => l.startsWith("?"))).toEqual([]);
    expect(present(m, sh(src, "rev-parse", "HEAD:b.md"))).toBe(true);
  });
});
