import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "./run.js";

const env = { PATH: process.env.PATH ?? "", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", HOME: os.tmpdir() };
let dir: string;
let oid: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-run-git-"));
  execFileSync("git", ["init", "-q", dir], { env });
  oid = execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, env, input: "agent 5\n" }).toString().trim();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("runGit", () => {
  it("passes input on stdin and returns stdout as bytes", async () => {
    const out = await runGit(["cat-file", "--batch"], { cwd: dir, env, input: `${oid}\n` });
    expect(out.toString()).toBe(`${oid} blob 8\nagent 5\n\n`);
  });

  it("says plainly when git itself is missing, for local and network runs alike", async () => {
    const noGit = { ...env, PATH: path.join(dir, "no-such-bin") };
    await expect(runGit(["--version"], { env: noGit })).rejects.toMatchObject({ code: "E_IO", message: expect.stringMatching(/git is not installed/) });
    await expect(runGit(["--version"], { env: noGit, timeoutMs: 5000 })).rejects.toMatchObject({ code: "E_IO" });
  });

  it("rejects with git's error message and exit code", async () => {
    await expect(runGit(["cat-file", "-t", "0".repeat(40)], { cwd: dir, env })).rejects.toMatchObject({ name: "GitError", exitCode: 128, timedOut: false });
  });

  it("kills git after the timeout", async () => {
    const err = await runGit(["-c", "alias.wait=!sleep 5", "wait"], { cwd: dir, env, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "GitError", timedOut: true });
  });
});
