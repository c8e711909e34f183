import { describe, expect, it } from "vitest";
import type { LockedFile } from "../project/lockfile.js";
import { scopeAt, userScope } from "../project/scope.js";
import type { Step } from "../plan/plan.js";
import { describeFiles, whereLines } from "./where.js";

const locked = (file: string): LockedFile => ({ name: "x", kind: "agent", part: "x", version: "1.0.0", registry: "r", url: "u", commit: null, path: "p", sha256: "a".repeat(64), file });
const add = (file: string): Step => ({ op: "add", name: "x", file, kind: "agent", to: locked(file), local: "absent" });
const remove = (file: string): Step => ({ op: "remove", name: "x", file, kind: "agent", from: locked(file), local: "clean" });

describe("whereLines", () => {
  const project = { scope: scopeAt("/p", false), cwd: "/p", home: "/home/u" };

  it("names the file written, relative to the project", () => {
    expect(whereLines([add(".claude/agents/x.md")], project, false)).toEqual(["wrote .claude/agents/x.md"]);
    expect(whereLines([add(".claude/agents/x.md")], project, true)).toEqual(["would write .claude/agents/x.md"]);
    expect(whereLines([remove(".claude/agents/x.md")], project, false)).toEqual(["deleted .claude/agents/x.md"]);
  });

  it("names the project when it was found in a parent folder", () => {
    expect(whereLines([add(".claude/agents/x.md")], { ...project, cwd: "/p/src/deep" }, false)).toEqual(["wrote .claude/agents/x.md in /p (the project found above this folder)"]);
  });

  it("shows the user scope's real place: ~/.claude, or CLAUDE_CONFIG_DIR", () => {
    const env = { cwd: "/w", home: "/home/u" };
    expect(whereLines([add(".claude/agents/x.md")], { ...env, scope: userScope({ ...env, env: {} }) }, false)).toEqual(["wrote ~/.claude/agents/x.md (user scope)"]);
    const cfg = userScope({ ...env, env: { CLAUDE_CONFIG_DIR: "/home/u/cc" } });
    expect(whereLines([add(".claude/agents/x.md"), add(".claude.json#mcpServers/s")], { ...env, scope: cfg }, false)).toEqual(["wrote ~/cc/.claude.json, ~/cc/agents/x.md (user scope: CLAUDE_CONFIG_DIR=~/cc)"]);
  });

  it("a shared file's entry writes the file (a removed entry too); nothing written, nothing said", () => {
    expect(whereLines([remove(".mcp.json#mcpServers/s")], project, false)).toEqual(["wrote .mcp.json"]);
    expect(whereLines([{ ...add(".claude/agents/x.md"), local: "clean" }], project, false)).toEqual([]);
  });
});

describe("describeFiles", () => {
  it("names a few, counts many per folder, or under their common folder", () => {
    expect(describeFiles(["a/x", "a/y"])).toBe("a/x, a/y");
    expect(describeFiles(["d/a/1", "d/a/2", "d/b/3", "d/b/4"])).toBe("4 files: 2 in d/a/, 2 in d/b/");
    expect(describeFiles([".claude/agentpkg/plugins/k/x/y", ".claude/agents/k/a.md", ".claude/agents/k/b.md", ".claude/skills/s/SKILL.md", ".mcp.json"])).toBe(
      "5 files: 1 in .claude/agentpkg/plugins/k/, 2 in .claude/agents/k/, 1 in .claude/skills/s/, .mcp.json",
    );
    expect(describeFiles(Array.from({ length: 500 }, (_, i) => `.claude/agents/a${i}.md`))).toBe("500 files in .claude/agents/");
    expect(describeFiles(Array.from({ length: 9 }, (_, i) => `.claude/skills/s${i}/SKILL.md`))).toBe("9 files under .claude/skills/");
    expect(describeFiles(["x/a/1", "x/a/2", "x/b/3", "x/c/4"], (f) => `~/${f}`)).toBe("4 files: 2 in ~/x/a/, 1 in ~/x/b/, 1 in ~/x/c/");
  });
});
