import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstParentLog, listTags, listTree, regularBlobsAt } from "./history.js";
import { objectsAt, readBlobs, streamObjects, type StreamedObject } from "./objects.js";

const env = {
  PATH: process.env.PATH ?? "",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "T",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "T",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_AUTHOR_DATE: "2025-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2025-01-01T00:00:00Z",
};
let dir: string;
const git = (...args: string[]) => execaSync("git", args, { cwd: dir, env, extendEnv: false }).stdout.trim();
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const commit = (msg: string) => {
  git("add", "-A");
  git("commit", "-q", "-m", msg);
  return git("rev-parse", "HEAD");
};
const commits: string[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-git-history-"));
  git("init", "-q", "-b", "main");
  write("a/one.md", "one v1\n");
  write("a/with space é.md", "spaced\n");
  write("b/other.txt", "other\n");
  commits.push(commit("first"));
  git("tag", "v1.0.0");
  git("checkout", "-q", "-b", "side");
  write("a/one.md", "one from side\n");
  git("add", "-A");
  git("commit", "-q", "-m", "side change");
  git("checkout", "-q", "main");
  fs.rmSync(path.join(dir, "a/with space é.md"));
  commits.push(commit("delete the spaced file"));
  git("merge", "-q", "--no-ff", "-m", "merge side", "side");
  commits.push(git("rev-parse", "HEAD"));
  git("tag", "-a", "-m", "annotated", "x@2.0.0");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("firstParentLog", () => {
  it("lists first-parent commits oldest first, with merges diffed against their first parent", async () => {
    const log = await firstParentLog(dir, commits[2]!, [], env);
    expect(log.map((c) => c.commit)).toEqual(commits);
    expect(log[0]!.changes.map((c) => c.path).sort()).toEqual(["a/one.md", "a/with space é.md", "b/other.txt"]);
    expect(log[1]!.changes).toEqual([{ path: "a/with space é.md", oid: null, mode: "000000" }]);
    expect(log[2]!.changes.map((c) => c.path)).toEqual(["a/one.md"]);
    expect(log[0]!.time).toBe(Date.UTC(2025, 0, 1) / 1000);
  });

  it("replaying the changes rebuilds the head tree (restricted to the pathspecs)", async () => {
    const state = new Map<string, string>();
    for (const c of await firstParentLog(dir, commits[2]!, [":(literal)a"], env)) {
      for (const ch of c.changes) {
        if (ch.oid) state.set(ch.path, ch.oid);
        else state.delete(ch.path);
      }
    }
    const tree = await listTree(dir, commits[2]!, env);
    expect([...state]).toEqual([...tree].filter(([p]) => p.startsWith("a/")).map(([p, f]) => [p, f.oid]));
    expect(tree.get("b/other.txt")).toMatchObject({ mode: "100644", size: 6 });
  });
});

describe("bulk reads", () => {
  it("readBlobs returns many blobs in one call and leaves out missing ones", async () => {
    const tree = await listTree(dir, commits[0]!, env);
    const oids = [...tree.values()].map((f) => f.oid);
    const blobs = await readBlobs(dir, [...oids, "0".repeat(40)], env);
    expect(blobs.size).toBe(3);
    expect(blobs.get(tree.get("a/with space é.md")!.oid)!.toString()).toBe("spaced\n");
  });

  it("streamObjects hands over objects one by one, in order, past any output cap, skipping the data of large ones", async () => {
    const big = "x".repeat(300_000) + "\n";
    write("big.txt", big);
    const c = commit("a large file");
    const tree = await listTree(dir, c, env);
    const bigOid = tree.get("big.txt")!.oid;
    const small = tree.get("b/other.txt")!.oid;
    // 400 reads of a 300 KB blob: 120 MB through one cat-file, never held at once
    const names = [small, "0".repeat(40), ...Array.from({ length: 400 }, () => bigOid), `${c}:b/other.txt`];
    const got: (StreamedObject | undefined)[] = [];
    let bytes = 0;
    await streamObjects(dir, names, env, (i, o) => {
      expect(i).toBe(got.length);
      bytes += o?.data?.length ?? 0;
      got.push(i < 5 || i > 400 ? o : undefined);
    });
    expect(got).toHaveLength(names.length);
    expect(got[0]!.data!.toString()).toBe("other\n");
    expect(got[1]).toBeUndefined(); // missing
    expect(got[2]!.data!.toString()).toBe(big);
    expect(got[names.length - 1]!.data!.toString()).toBe("other\n");
    expect(bytes).toBe(400 * big.length + 2 * "other\n".length);
    // reuse: each object's bytes are a view of one buffer, the same bytes
    let reused = 0;
    await streamObjects(dir, names, env, (_, o) => void (reused += o?.data?.toString() === big ? 1 : 0), { reuse: true });
    expect(reused).toBe(400);
    const limited: (number | undefined)[] = [];
    await streamObjects(dir, [bigOid, small], env, (_, o) => limited.push(o?.data?.length), { maxObjectBytes: 1000 });
    expect(limited).toEqual([undefined, 6]);
    await expect(streamObjects(dir, [small, small], env, () => {
      throw new Error("stop here");
    })).rejects.toThrow("stop here");
  });

  it("objectsAt answers <commit>:<path> for many pairs, null when absent", async () => {
    const q = [`${commits[0]}:a/with space é.md`, `${commits[1]}:a/with space é.md`, `${commits[0]}:a`];
    const got = await objectsAt(dir, q, env);
    expect(got.get(q[0]!)).toMatch(/^[0-9a-f]{40}$/);
    expect(got.get(q[1]!)).toBeNull();
    expect(got.get(q[2]!)).toBeNull(); // a tree, not a blob
  });

  it("regularBlobsAt gives the ids listTree gives, for the paths asked under the folders asked", async () => {
    const head = commits[0]!; // the spaced file is still there
    const tree = await listTree(dir, head, env);
    const asked = new Set(["a/with space é.md", "b/other.txt", "a/missing.md"]);
    const got = await regularBlobsAt(dir, head, asked, ["a", "b"], env);
    expect(Object.fromEntries(got)).toEqual({ "a/with space é.md": tree.get("a/with space é.md")!.oid, "b/other.txt": tree.get("b/other.txt")!.oid });
    expect([...(await regularBlobsAt(dir, head, asked, ["a"], env)).keys()]).toEqual(["a/with space é.md"]);
    await expect(regularBlobsAt(dir, "0".repeat(40), asked, ["a"], env)).rejects.toThrow(/git ls-tree failed/);
  });

  it("listTags peels annotated tags to their commit", async () => {
    expect(await listTags(dir, env)).toEqual([
      { name: "v1.0.0", commit: commits[0] },
      { name: "x@2.0.0", commit: commits[2] },
    ]);
  });
});
