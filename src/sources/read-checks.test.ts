import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { BuiltinSource } from "./bundled/builtin-source.js";
import { readAtHeadInstead, readRegistryFile } from "./read-checks.js";
import { commitGone } from "../store/git-mirrors.js";

const AGENT = "---\nname: x\ndescription: X\n---\nYou are x.\n";
const SECRET = "---\nname: x\ndescription: outside\n---\nnot in the registry\n";

let tmp: string;
let root: string;
let outside: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-read-checks-"));
  root = path.join(tmp, "registry");
  outside = path.join(tmp, "outside");
  fs.mkdirSync(path.join(root, "agents", "x"), { recursive: true });
  fs.writeFileSync(path.join(root, "agents", "x", "1.0.0.md"), AGENT);
  fs.mkdirSync(path.join(outside, "x"), { recursive: true });
  fs.writeFileSync(path.join(outside, "x", "1.0.0.md"), SECRET);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const missing = () => new AgentpkgError("E_REGISTRY_INVALID", "missing");
const read = (p: string, sha = sha256(SECRET)) => readRegistryFile(root, "team", { version: "1.0.0", path: p, sha256: sha }, null, missing);

describe("readRegistryFile", () => {
  it("reads a listed file and checks its sha256", async () => {
    expect((await read("agents/x/1.0.0.md", sha256(AGENT))).content.toString()).toBe(AGENT);
    await expect(read("agents/x/1.0.0.md")).rejects.toMatchObject({ code: "E_INTEGRITY" });
  });

  it("refuses a path out of the registry before looking, saying nothing of what is there", async () => {
    for (const p of ["../outside/x/1.0.0.md", "agents/../../outside/x/1.0.0.md", path.join(outside, "x", "1.0.0.md"), "../outside/x/none.md"]) {
      const err = (await read(p).catch((e: unknown) => e)) as AgentpkgError;
      expect(err).toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(/is not a relative path inside the registry; nothing was read$/) });
      expect(err.message).not.toMatch(/sha256|bytes|missing|regular/);
    }
  });

  it("refuses a symlinked folder or file inside the registry without following it", async () => {
    fs.symlinkSync(outside, path.join(root, "linked"));
    fs.symlinkSync(path.join(outside, "x", "1.0.0.md"), path.join(root, "agents", "x", "2.0.0.md"));
    await expect(read("linked/x/1.0.0.md")).rejects.toMatchObject({ code: "E_UNSAFE", message: "team: linked/x/1.0.0.md goes through a symlink (linked); symlinks are never followed" });
    await expect(read("linked/x/none.md")).rejects.toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(/goes through a symlink \(linked\)/) });
    await expect(read("agents/x/2.0.0.md")).rejects.toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(/goes through a symlink \(agents\/x\/2.0.0.md\)/) });
  });

  it("says missing for a listed file that is not there, or under a file", async () => {
    await expect(read("agents/x/9.0.0.md")).rejects.toMatchObject({ code: "E_REGISTRY_INVALID" });
    await expect(read("agents/x/1.0.0.md/y.md")).rejects.toMatchObject({ code: "E_REGISTRY_INVALID" });
    await expect(read("agents/x")).rejects.toMatchObject({ code: "E_UNSAFE", message: "team: agents/x is not a regular file" });
  });

  it("refuses a FIFO without waiting for a writer", async () => {
    execFileSync("mkfifo", [path.join(root, "agents", "x", "3.0.0.md")]);
    await expect(read("agents/x/3.0.0.md")).rejects.toMatchObject({ code: "E_UNSAFE", message: "team: agents/x/3.0.0.md is not a regular file" });
  });
});

describe("BuiltinSource.readVersion", () => {
  it("refuses a lock's path out of the package, even with the outside file's sha256", async () => {
    fs.writeFileSync(path.join(root, "registry.json"), JSON.stringify({ name: "b", agents: { x: { versions: { "1.0.0": { path: "agents/x/1.0.0.md", sha256: sha256(AGENT) } } } } }));
    const src = await BuiltinSource.open("default", root);
    expect((await src.readVersion({ version: "1.0.0", path: "agents/x/1.0.0.md", sha256: sha256(AGENT) })).content.toString()).toBe(AGENT);
    await expect(src.readVersion({ version: "1.0.0", path: "../outside/x/1.0.0.md", sha256: sha256(SECRET) })).rejects.toMatchObject({ code: "E_UNSAFE" });
  });
});

describe("readAtHeadInstead (a lockfile's commit the registry no longer has)", () => {
  const commit = "31fa90ec3353df99be5bb5326bd18884dff54efe";
  const v = { version: "1.0.0", path: "agents/x/1.0.0.md", sha256: sha256(AGENT) };
  const gone = commitGone("https://example.com/team.git", commit);
  const atHead = (content: string) => async () => ({ content: Buffer.from(content), sha256: sha256(content), commit: "f".repeat(40) });

  it("takes the file at the head when its bytes are the locked ones", async () => {
    const f = await readAtHeadInstead("team", v, commit, gone, atHead(AGENT));
    expect(f.content.toString()).toBe(AGENT);
    expect(f.commit).toBe("f".repeat(40));
  });

  it.each([
    ["other bytes at the head", atHead(SECRET)],
    ["no such file at the head", async () => Promise.reject(new Error("missing"))],
  ])("%s: says the history was rewritten, naming the registry, the commit and the file (exit 5)", async (_what, read) => {
    const err = await readAtHeadInstead("team", v, commit, gone, read).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentpkgError);
    expect((err as AgentpkgError).code).toBe("E_COMMIT_GONE");
    expect((err as AgentpkgError).exitCode).toBe(5);
    expect((err as AgentpkgError).message).toBe("registry team's history was rewritten: the locked commit 31fa90ec3353 (agents/x/1.0.0.md, version 1.0.0) is gone");
    expect((err as AgentpkgError).hint).toMatch(/agentpkg upgrade/);
  });

  it("never takes the head's bytes for a version without a known sha256", async () => {
    const err = await readAtHeadInstead("team", { version: "1.0.0", path: v.path }, commit, gone, atHead(AGENT)).catch((e: unknown) => e);
    expect((err as AgentpkgError).code).toBe("E_COMMIT_GONE");
  });
});
