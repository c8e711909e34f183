import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayPath, isTrustedOwner, resolveScope, scopeFile, scopeFor, scopeRelative, statScopeFile, tildePath, userScope } from "./scope.js";

describe("isTrustedOwner", () => {
  it.each([
    [1000, { uid: 1000 }, true],
    [0, { uid: 1000 }, true],
    [1001, { uid: 1000 }, false],
    [1000, { uid: 0 }, false],
    [1000, { uid: 0, sudoUid: 1000 }, true],
    [1001, { uid: 0, sudoUid: 1000 }, false],
    [1000, { uid: 1001, sudoUid: 1000 }, false],
  ])("a file of uid %i, run as %j: %s", (uid, user, ok) => expect(isTrustedOwner(uid, user)).toBe(ok));
});

describe("resolveScope ownership", () => {
  let root: string;
  let parent: string;
  let child: string;
  /** Who agentpkg runs as, such that the parent's files belong to someone else (as root: chown them away). */
  let user: { uid: number };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-scope-"));
    parent = path.join(root, "shared");
    child = path.join(parent, "mine");
    fs.mkdirSync(path.join(parent, ".claude"), { recursive: true });
    fs.mkdirSync(child);
    fs.writeFileSync(path.join(parent, ".claude", "agentpkg.json"), "{}");
    const me = process.geteuid!();
    if (me === 0) {
      fs.chownSync(path.join(parent, ".claude"), 12345, 12345);
      fs.chownSync(path.join(parent, ".claude", "agentpkg.json"), 12345, 12345);
      user = { uid: 0 };
    } else user = { uid: me + 1 }; // files are ours, so to a user of another uid they are someone else's
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("refuses a parent's project owned by another user, naming the file, its owner and the way out", () => {
    expect(() => resolveScope({ cwd: child, home: os.homedir(), global: false, user })).toThrow(
      expect.objectContaining({
        code: "E_UNSAFE",
        message: expect.stringMatching(new RegExp(`^${path.join(parent, ".claude")} in a parent folder is owned by another user \\(uid \\d+; you are uid ${user.uid}\\)`)),
        hint: expect.stringContaining(`agentpkg -C ${parent}`),
      }),
    );
  });

  it("takes the same project as the working folder (an explicit choice), and where there are no uids", () => {
    expect(resolveScope({ cwd: parent, home: os.homedir(), global: false, user }).root).toBe(parent);
    expect(resolveScope({ cwd: child, home: os.homedir(), global: false, user: undefined }).root).toBe(parent);
  });

  it("a project of the user's own below the foreign one is found first", () => {
    fs.mkdirSync(path.join(child, ".claude"));
    fs.writeFileSync(path.join(child, ".claude", "agentpkg.json"), "{}");
    fs.mkdirSync(path.join(child, "sub"));
    const me = { uid: process.geteuid!() };
    expect(resolveScope({ cwd: path.join(child, "sub"), home: os.homedir(), global: false, user: me }).root).toBe(child);
  });
});

describe("the user scope and CLAUDE_CONFIG_DIR", () => {
  const deps = (env: NodeJS.ProcessEnv) => ({ cwd: "/work", home: "/home/u", env });

  it("is ~/.claude without it, its MCP servers in ~/.claude.json", () => {
    const s = userScope(deps({}));
    expect([s.root, s.claudeDir, s.agentsDir, s.manifestPath, s.configDir]).toEqual(["/home/u", "/home/u/.claude", "/home/u/.claude/agents", "/home/u/.claude/agentpkg.json", undefined]);
    expect(scopeFile(s, ".claude/agents/x.md")).toBe("/home/u/.claude/agents/x.md");
    expect(scopeFile(s, ".claude.json")).toBe("/home/u/.claude.json");
  });

  it("is $CLAUDE_CONFIG_DIR when set: .claude/... names map into it, and .claude.json is inside it", () => {
    const s = userScope(deps({ CLAUDE_CONFIG_DIR: "/cfg/claude" }));
    expect([s.claudeDir, s.agentsDir, s.manifestPath, s.lockPath, s.lockDir]).toEqual(["/cfg/claude", "/cfg/claude/agents", "/cfg/claude/agentpkg.json", "/cfg/claude/agentpkg.lock", "/cfg/claude/.agentpkg-busy"]);
    expect(scopeFile(s, ".claude/agents/x.md")).toBe("/cfg/claude/agents/x.md");
    expect(scopeFile(s, ".claude/settings.json")).toBe("/cfg/claude/settings.json");
    expect(scopeFile(s, ".claude.json")).toBe("/cfg/claude/.claude.json");
    for (const rel of [".claude/agents/x.md", ".claude/skills/a/SKILL.md", ".claude.json", ".claude/.agentpkg-busy"]) expect(scopeRelative(s, scopeFile(s, rel))).toBe(rel);
    expect(displayPath(s, "/home/u/claude/agents/x.md", "/home/u")).toBe("~/claude/agents/x.md");
  });

  it("a relative CLAUDE_CONFIG_DIR is taken from the working folder, as Claude Code takes it", () => {
    expect(userScope(deps({ CLAUDE_CONFIG_DIR: "cfg" })).claudeDir).toBe("/work/cfg");
  });

  it("scopeFor: the project scope without --global, whatever CLAUDE_CONFIG_DIR says", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-scopefor-"));
    try {
      expect(scopeFor({ cwd: dir, home: "/nonexistent", env: { CLAUDE_CONFIG_DIR: "/cfg" } }, false).claudeDir).toBe(path.join(dir, ".claude"));
      expect(scopeFor({ cwd: dir, home: "/nonexistent", env: { CLAUDE_CONFIG_DIR: "/cfg" } }, true).claudeDir).toBe("/cfg");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tildePath shows the home folder as ~ (and nothing else)", () => {
    expect(tildePath("/home/u/.claude/agents/x.md", "/home/u")).toBe("~/.claude/agents/x.md");
    expect(tildePath("/home/user2/x", "/home/u")).toBe("/home/user2/x");
  });
});

describe("statScopeFile", () => {
  it("stats regular files only, and answers undefined where a folder is a file (ENOTDIR)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-stat-"));
    try {
      fs.mkdirSync(path.join(root, ".claude"));
      fs.writeFileSync(path.join(root, ".claude", "agents"), "a file where the folder was\n");
      const scope = userScope({ cwd: root, home: root, env: {} });
      expect(statScopeFile(scope, ".claude/agents")?.size).toBe(28);
      expect(statScopeFile(scope, ".claude/agents/x.md")).toBeUndefined();
      expect(statScopeFile(scope, ".claude")).toBeUndefined();
      expect(statScopeFile(scope, ".claude/absent.md")).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
