import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { classifyGitUrl, gitEnv, lastProgressLine, mistypedUrl, normalizeGitUrl, REPOSITORY_ENV, withoutProgress } from "./run.js";
import type { AgentpkgError } from "../util/errors.js";

describe("classifyGitUrl", () => {
  it.each([
    ["https://github.com/a/b.git", "https"],
    ["ssh://git@github.com/a/b.git", "ssh"],
    ["git@github.com:a/b.git", "scp"],
    ["file:///tmp/reg", "file"],
    ["/tmp/reg", "path"],
    ["./reg", "path"],
    ["../reg", "path"],
  ])("%s is %s", (url, kind) => expect(classifyGitUrl(url)).toBe(kind));

  it.each(["ext::sh -c touch% /tmp/pwned", "fd::3", "--upload-pack=touch /tmp/x", "-oProxyCommand=x", "http://example.com/r.git", "ftp://x/y", "", "https://x/\ny", "foo:bar"])(
    "refuses %j",
    (url) => expect(() => classifyGitUrl(url)).toThrow(/invalid registry url/),
  );
});

describe("gitEnv", () => {
  const hook = {
    PATH: "/usr/bin",
    HOME: "/home/me",
    GIT_DIR: "/work/repo/.git/worktrees/wt",
    GIT_WORK_TREE: "/work/wt",
    GIT_INDEX_FILE: "/work/repo/.git/worktrees/wt/index",
    GIT_COMMON_DIR: "/work/repo/.git",
    GIT_OBJECT_DIRECTORY: "/work/repo/.git/objects/incoming-x",
    GIT_ALTERNATE_OBJECT_DIRECTORIES: "/work/repo/.git/objects",
    GIT_QUARANTINE_PATH: "/work/repo/.git/objects/incoming-x",
    GIT_NAMESPACE: "team",
    GIT_PREFIX: "sub/",
    GIT_CONFIG_PARAMETERS: "'core.worktree'='/elsewhere'",
    GIT_CONFIG: "/tmp/other-config",
  };

  it("drops every variable that points git at the caller's repository", () => {
    const env = gitEnv(hook);
    for (const name of Object.keys(hook).filter((k) => k.startsWith("GIT_"))) expect(env).not.toHaveProperty(name);
    for (const name of REPOSITORY_ENV) expect(env).not.toHaveProperty(name);
    expect(env).toMatchObject({ PATH: "/usr/bin", HOME: "/home/me", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" });
  });

  it("keeps the user's own git configuration and transport settings", () => {
    const mine = {
      GIT_CONFIG_GLOBAL: "/home/me/.gitconfig-work",
      GIT_CONFIG_SYSTEM: "/etc/gitconfig",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "url.https://mirror.example/.insteadOf",
      GIT_CONFIG_VALUE_0: "https://github.com/",
      GIT_SSH_COMMAND: "ssh -i ~/.ssh/deploy",
      GIT_ASKPASS: "/usr/bin/helper",
      GIT_CEILING_DIRECTORIES: "/work",
      HTTPS_PROXY: "http://proxy:3128",
      GIT_AUTHOR_NAME: "Me",
    };
    expect(gitEnv(mine)).toMatchObject(mine);
  });

  it("does not change the caller's object", () => {
    const env = { ...hook };
    gitEnv(env);
    expect(env).toEqual(hook);
  });
});

describe("classifyGitUrl and credentials", () => {
  it.each(["https://deploy:TOKEN@host/reg.git", "https://ghp_abcdefghijklmnop@github.com/a/b.git", "ssh://git:pw@host/r.git", "deploy:TOKEN@host:a/b.git", "https://u:TOKEN@host/r.tgz"])(
    "refuses %s without echoing the secret",
    (url) => {
      const err = (() => {
        try {
          classifyGitUrl(url);
        } catch (e) {
          return e as AgentpkgError;
        }
        throw new Error("accepted");
      })();
      expect(err).toMatchObject({ code: "E_USAGE", exitCode: 2, hint: expect.stringMatching(/credential helper/) });
      expect(err.message).toMatch(/^invalid registry url ".*\*\*\*@[^"]*": it contains a password or token, which agentpkg never stores or prints$/);
      expect(err.message).not.toMatch(/TOKEN|ghp_|pw/);
    },
  );

  it("keeps a plain user name", () => {
    expect(classifyGitUrl("https://alice@bitbucket.org/team/agents.git")).toBe("https");
    expect(classifyGitUrl("ssh://git@github.com/a/b.git")).toBe("ssh");
  });
});

describe("normalizeGitUrl: GitHub shorthand", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-shorthand-"));
  fs.mkdirSync(path.join(cwd, "team", "agents"), { recursive: true });

  it.each([
    ["acme/agents", "https://github.com/acme/agents.git"],
    ["acme/agents.git", "https://github.com/acme/agents.git"],
    ["Acme-1/my.repo_x", "https://github.com/Acme-1/my.repo_x.git"],
  ])("%s is %s", (url, want) => {
    expect(normalizeGitUrl(url, cwd)).toBe(want);
  });

  it("an existing relative path stays a local registry; other forms are left alone", () => {
    expect(normalizeGitUrl("team/agents", cwd)).toBe(path.join(cwd, "team", "agents"));
    expect(normalizeGitUrl("./acme/agents", cwd)).toBe(path.join(cwd, "acme", "agents"));
    expect(normalizeGitUrl("acme/agents.tgz", cwd)).toBe(path.join(cwd, "acme", "agents.tgz"));
    expect(normalizeGitUrl("a/b/c", cwd)).toBe(path.join(cwd, "a", "b", "c"));
    expect(normalizeGitUrl("git@github.com:acme/agents.git", cwd)).toBe("git@github.com:acme/agents.git");
    expect(() => normalizeGitUrl("-acme/x", cwd)).toThrow(/must not start with/);
  });
});

describe("mistyped urls", () => {
  it.each([
    ["https//github.com/a/b", "https://github.com/a/b"],
    ["https:/github.com/a/b", "https://github.com/a/b"],
    ["https:github.com/a/b", "https://github.com/a/b"],
    ["ssh:/host/x", "ssh://host/x"],
  ])("%s means %s", (url, meant) => {
    expect(mistypedUrl(url)).toBe(meant);
    expect(() => normalizeGitUrl(url, os.tmpdir())).toThrow(expect.objectContaining({ code: "E_USAGE", exitCode: 2, hint: expect.stringContaining(`did you mean ${meant}?`) }));
  });

  it.each(["https://github.com/a/b", "git@github.com:a/b", "./https", "https/x", "httpserver/x", "file:///tmp/x"])("%s is no mistake", (url) => expect(mistypedUrl(url)).toBeUndefined());

  it("an existing folder of that name is still a folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-https-"));
    try {
      fs.mkdirSync(path.join(dir, "https", "host"), { recursive: true });
      expect(normalizeGitUrl("https//host", dir)).toBe(path.join(dir, "https", "host"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("git's progress lines", () => {
  it("takes the last progress line of a chunk (\\r-separated updates)", () => {
    expect(lastProgressLine("Receiving objects:  10% (1/10)\rReceiving objects:  50% (5/10)\r")).toBe("Receiving objects:  50% (5/10)");
    expect(lastProgressLine("remote: Counting objects: 3, done.\n")).toBe("remote: Counting objects: 3, done.");
    expect(lastProgressLine("fatal: repository not found\n")).toBeUndefined();
  });

  it("keeps them out of error messages", () => {
    expect(withoutProgress("Cloning into bare repository 'x'...\rReceiving objects: 50% (1/2)\nfatal: bad thing\n")).toBe("Cloning into bare repository 'x'...\nfatal: bad thing");
  });
});
