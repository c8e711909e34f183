import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitError } from "../../git/run.js";
import { sha256 } from "../../util/hash.js";
import { BlobReader } from "./blob-batch.js";

const env = { PATH: process.env.PATH ?? "", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", HOME: os.tmpdir() };
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, env: { ...env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" } }).toString().trim();

let dir: string;
let commit: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-blob-batch-"));
  git(dir, "init", "-q", "-b", "main");
  for (let i = 0; i < 30; i++) {
    fs.mkdirSync(path.join(dir, "agents", `a${i}`), { recursive: true });
    fs.writeFileSync(path.join(dir, "agents", `a${i}`, "1.0.0.md"), `agent ${i}\n`);
  }
  fs.writeFileSync(path.join(dir, "agents", "star*.md"), "a literal star\n");
  fs.writeFileSync(path.join(dir, "big.md"), Buffer.alloc(1024 * 1024 + 1, 0x61));
  fs.symlinkSync("/etc/passwd", path.join(dir, "agents", "link.md"));
  // 9 files just under the 1 MiB limit: more than the 8 MiB read alongside ls-tree
  for (let i = 0; i < 9; i++) fs.writeFileSync(path.join(dir, `large${i}.md`), Buffer.alloc(1000 * 1000, 0x30 + i));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "x");
  commit = git(dir, "rev-parse", "HEAD");
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const v = (p: string, sha?: string) => ({ version: "1.0.0", path: p, ...(sha ? { sha256: sha } : {}) });
const shaOf = (p: string) => sha256(fs.readFileSync(path.join(dir, p)));

describe("BlobReader", () => {
  it("reads many files requested at once, each with its own bytes", async () => {
    const reader = new BlobReader(dir, env, "test");
    const got = await Promise.all(Array.from({ length: 30 }, (_, i) => reader.read(commit, v(`agents/a${i}/1.0.0.md`))));
    expect(got.map((b) => b.toString())).toEqual(Array.from({ length: 30 }, (_, i) => `agent ${i}\n`));
  });

  it("serves requests that arrive while a batch runs", async () => {
    const reader = new BlobReader(dir, env, "test");
    const first = reader.read(commit, v("agents/a1/1.0.0.md"));
    await new Promise((r) => setImmediate(r));
    const second = reader.read(commit, v("agents/a2/1.0.0.md"));
    expect((await first).toString()).toBe("agent 1\n");
    expect((await second).toString()).toBe("agent 2\n");
  });

  it("fails only the bad requests of a batch: missing, symlink, directory, oversized", async () => {
    const reader = new BlobReader(dir, env, "test");
    const results = await Promise.allSettled([
      reader.read(commit, v("agents/a3/1.0.0.md")),
      reader.read(commit, v("agents/nope/1.0.0.md")),
      reader.read(commit, v("agents/link.md")),
      reader.read(commit, v("agents/a4")),
      reader.read(commit, v("big.md")),
    ]);
    expect(results[0]).toMatchObject({ status: "fulfilled" });
    expect(results[1]).toMatchObject({ status: "rejected", reason: { code: "E_REGISTRY_INVALID" } });
    expect(results[2]).toMatchObject({ status: "rejected", reason: { code: "E_UNSAFE", message: expect.stringMatching(/mode 120000/) } });
    expect(results[3]).toMatchObject({ status: "rejected", reason: { code: "E_UNSAFE" } });
    expect(results[4]).toMatchObject({ status: "rejected", reason: { code: "E_UNSAFE", message: expect.stringMatching(/over the 1048576-byte limit/) } });
  });

  it("reads files whose sha256 the registry declares in one pass, and checks the rest through ls-tree", async () => {
    const reader = new BlobReader(dir, env, "test");
    const results = await Promise.allSettled([
      reader.read(commit, v("agents/a5/1.0.0.md", shaOf("agents/a5/1.0.0.md"))),
      reader.read(commit, v("agents/a6/1.0.0.md", "0".repeat(64))), // wrong hash: the bytes, for checkedFile to refuse
      reader.read(commit, v("agents/nope/1.0.0.md", "0".repeat(64))),
      reader.read(commit, v("big.md", sha256(Buffer.alloc(1024 * 1024 + 1, 0x61)))),
      reader.read(commit, v("agents/a4", "0".repeat(64))),
    ]);
    expect(results[0]).toMatchObject({ status: "fulfilled", value: Buffer.from("agent 5\n") });
    expect(results[1]).toMatchObject({ status: "fulfilled", value: Buffer.from("agent 6\n") });
    expect(results[2]).toMatchObject({ status: "rejected", reason: { code: "E_REGISTRY_INVALID" } });
    expect(results[3]).toMatchObject({ status: "rejected", reason: { code: "E_UNSAFE", message: expect.stringMatching(/over the 1048576-byte limit/) } });
    expect(results[4]).toMatchObject({ status: "rejected", reason: { code: "E_UNSAFE" } });
  });

  it("reads a batch too large for one pass in full, through ls-tree", async () => {
    const reader = new BlobReader(dir, env, "test");
    const got = await Promise.all(Array.from({ length: 9 }, (_, i) => reader.read(commit, v(`large${i}.md`, shaOf(`large${i}.md`)))));
    got.forEach((b, i) => expect(b.equals(Buffer.alloc(1000 * 1000, 0x30 + i))).toBe(true));
  });

  it("treats paths literally, never as patterns", async () => {
    const reader = new BlobReader(dir, env, "test");
    expect((await reader.read(commit, v("agents/star*.md"))).toString()).toBe("a literal star\n");
    await expect(reader.read(commit, v("agents/a*/1.0.0.md"))).rejects.toMatchObject({ code: "E_REGISTRY_INVALID" });
  });

  it("readEach hands each file over as git writes it, and returns the ones it refused, by index", async () => {
    const reader = new BlobReader(dir, env, "test");
    const got = new Map<number, string>();
    const paths = ["agents/a7/1.0.0.md", "agents/nope/1.0.0.md", "agents/link.md", "agents/a8/1.0.0.md", "big.md", "agents/a9/1.0.0.md"];
    const refused = await reader.readEach(commit, paths.map((p) => v(p)), (i, content) => got.set(i, content.toString()));
    expect([...got].sort()).toEqual([[0, "agent 7\n"], [3, "agent 8\n"], [5, "agent 9\n"]]);
    expect([...refused.keys()].sort()).toEqual([1, 2, 4]);
    expect(refused.get(2)).toMatchObject({ code: "E_UNSAFE" });
  });

  it("readEach stops at an exception from its callback and throws it", async () => {
    const reader = new BlobReader(dir, env, "test");
    let calls = 0;
    const read = reader.readEach(commit, Array.from({ length: 30 }, (_, i) => v(`agents/a${i}/1.0.0.md`)), () => {
      calls++;
      throw new Error("stop here");
    });
    await expect(read).rejects.toThrow("stop here");
    expect(calls).toBe(1);
  });

  it("rejects every request of an unknown commit", async () => {
    const reader = new BlobReader(dir, env, "test");
    await expect(reader.read("0".repeat(40), v("agents/a1/1.0.0.md"))).rejects.toBeInstanceOf(GitError);
  });
});
