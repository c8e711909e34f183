import { describe, expect, it } from "vitest";
import { checkProject, statFiles } from "./verify-check.js";
import type { LockEntry, Lockfile, PluginLock } from "../project/lockfile.js";
import type { Manifest } from "../project/manifest.js";

const sha = (c: string) => c.repeat(64);
const entry = (name: string, version: string, o: Partial<LockEntry> = {}): LockEntry => ({
  version,
  registry: "team",
  url: "file:///r",
  commit: "c".repeat(40),
  path: `agents/${name}/${version}.md`,
  sha256: sha("1"),
  file: `.claude/agents/${name}.md`,
  ...o,
});
const lockOf = (agents: Record<string, LockEntry>): Lockfile => ({ lockfileVersion: 1, agents, plugins: {} });
const manifestOf = (agents: Manifest["agents"]): Manifest => ({ registries: { team: "file:///r" }, agents, plugins: {} });

describe("checkProject", () => {
  const a = entry("a", "1.2.0");
  const clean = new Map([[a.file, a.sha256]]);

  it("finds nothing when manifest, lock and disk agree", () => {
    expect(checkProject({ manifest: manifestOf({ a: { range: "^1.0.0" } }), lock: lockOf({ a }), disk: clean })).toEqual([]);
  });

  it("accepts a file matching localSha256 (a clean merge) and a tag range", () => {
    const merged = entry("a", "1.2.0", { localSha256: sha("9") });
    const disk = new Map([[merged.file, sha("9")]]);
    expect(checkProject({ manifest: manifestOf({ a: { range: "latest" } }), lock: lockOf({ a: merged }), disk })).toEqual([]);
  });

  it("reports modified and missing files with the file and a fix", () => {
    const b = entry("b", "1.0.0");
    const disk = new Map<string, string | null>([[a.file, sha("2")], [b.file, null]]);
    const problems = checkProject({ manifest: manifestOf({ a: { range: "^1" }, b: { range: "^1" } }), lock: lockOf({ a, b }), disk });
    expect(problems.map((p) => [p.kind, p.name, p.file])).toEqual([
      ["modified", "a", a.file],
      ["missing", "b", b.file],
    ]);
    expect(problems[0]!.fix).toContain("agentpkg sync --force");
    expect(problems[1]!.fix).toBe("agentpkg sync");
  });

  it("reports manifest entries without a lock entry and lock entries not in the manifest", () => {
    const problems = checkProject({ manifest: manifestOf({ z: { range: "^1" } }), lock: lockOf({ a }), disk: clean });
    expect(problems.map((p) => [p.kind, p.name])).toEqual([
      ["not-in-manifest", "a"],
      ["not-locked", "z"],
    ]);
    expect(problems[1]!.fix).toContain("agentpkg install");
  });

  it("reports a locked version outside the range and a registry other than the pinned one", () => {
    const problems = checkProject({ manifest: manifestOf({ a: { range: "^2.0.0", registry: "other" } }), lock: lockOf({ a }), disk: clean });
    expect(problems.map((p) => p.kind)).toEqual(["range", "registry"]);
    expect(problems[0]!.message).toBe('a: locked version 1.2.0 does not satisfy "^2.0.0"');
    expect(problems[1]!.message).toContain('manifest pins "other"');
  });

  it("does not check the files of lock entries the manifest dropped (one problem per dropped agent)", () => {
    const problems = checkProject({ manifest: manifestOf({}), lock: lockOf({ a }), disk: new Map() });
    expect(problems.map((p) => p.kind)).toEqual(["not-in-manifest"]);
  });
});

describe("checkProject: plugins", () => {
  const kit = (o: Partial<PluginLock> = {}): PluginLock => ({
    version: "1.0.0",
    registry: "mk",
    url: "file:///mk",
    commit: "c".repeat(40),
    root: "plugins/kit",
    files: {
      ".claude/commands/kit/greet.md": { kind: "command", part: "kit:greet", path: "commands/greet.md", sha256: sha("1"), localSha256: sha("9") },
      ".claude/skills/alpha/SKILL.md": { kind: "skill", part: "alpha", path: "skills/alpha/SKILL.md", sha256: sha("2") },
      ".claude/settings.json#hooks/Stop/0123456789ab": { kind: "hook", part: "Stop", path: "hooks/hooks.json", sha256: sha("3") },
      ".mcp.json#mcpServers/kit-server": { kind: "mcp", part: "kit-server", path: ".mcp.json", sha256: sha("4") },
    },
    ...o,
  });
  const lockWith = (plugins: Record<string, PluginLock>): Lockfile => ({ lockfileVersion: 2, agents: {}, plugins });
  const manifestWith = (plugins: Manifest["plugins"]): Manifest => ({ registries: { mk: "file:///mk" }, agents: {}, plugins });
  const clean = () => new Map<string, string | null>(Object.entries(kit().files).map(([f, e]) => [f, e.sha256]));

  it("finds nothing when every file and entry is as written (or the recorded merge)", () => {
    const disk = clean().set(".claude/commands/kit/greet.md", sha("9"));
    expect(checkProject({ manifest: manifestWith({ kit: { range: "^1.0.0" } }), lock: lockWith({ kit: kit() }), disk })).toEqual([]);
  });

  it("reports edited and missing files, a hook group gone and a changed MCP server, each as the plugin's", () => {
    const disk = clean()
      .set(".claude/commands/kit/greet.md", sha("8"))
      .set(".claude/skills/alpha/SKILL.md", null)
      .set(".claude/settings.json#hooks/Stop/0123456789ab", null)
      .set(".mcp.json#mcpServers/kit-server", sha("5"));
    const problems = checkProject({ manifest: manifestWith({ kit: { range: "^1.0.0" } }), lock: lockWith({ kit: kit() }), disk });
    expect(problems.map((p) => [p.type, p.kind, p.name, p.file])).toEqual([
      ["plugin", "missing", "kit", ".claude/settings.json#hooks/Stop/0123456789ab"],
      ["plugin", "missing", "kit", ".claude/skills/alpha/SKILL.md"],
      ["plugin", "modified", "kit", ".claude/commands/kit/greet.md"],
      ["plugin", "modified", "kit", ".mcp.json#mcpServers/kit-server"],
    ]);
    expect(problems[0]!.message).toBe("hook Stop in .claude/settings.json (plugin kit) is missing");
    expect(problems[3]!.message).toContain("MCP server kit-server in .mcp.json (plugin kit) was changed");
  });

  it("reports range, registry pin and parts that disagree with the manifest", () => {
    const dep = { range: "^2.0.0", registry: "other", parts: ["greet"] };
    const problems = checkProject({ manifest: manifestWith({ kit: dep }), lock: lockWith({ kit: kit() }), disk: clean() });
    expect(problems.map((p) => p.kind)).toEqual(["parts", "range", "registry"]);
    expect(problems[0]!.message).toBe("plugin kit: the manifest asks for only the parts greet but the lockfile has the whole plugin");
    const parts = checkProject({ manifest: manifestWith({ kit: { range: "^1", parts: ["alpha", "greet"] } }), lock: lockWith({ kit: kit({ parts: ["greet", "alpha"] }) }), disk: clean() });
    expect(parts).toEqual([]);
  });

  it("reports a manifest plugin not locked and a locked plugin not in the manifest (its files unchecked)", () => {
    const problems = checkProject({ manifest: manifestWith({ solo: { range: "^0.3.0" } }), lock: lockWith({ kit: kit() }), disk: new Map() });
    expect(problems.map((p) => [p.type, p.kind, p.name])).toEqual([
      ["plugin", "not-in-manifest", "kit"],
      ["plugin", "not-locked", "solo"],
    ]);
  });

  it("keeps an agent and a plugin of one name apart", () => {
    const a = entry("kit", "1.0.0");
    const problems = checkProject({
      manifest: { registries: {}, agents: { kit: { range: "^1" } }, plugins: { kit: { range: "^1" } } },
      lock: { lockfileVersion: 2, agents: { kit: a }, plugins: { kit: kit() } },
      disk: clean().set(a.file, null),
    });
    expect(problems.map((p) => [p.type, p.kind])).toEqual([["agent", "missing"]]);
  });
});

describe("statFiles", () => {
  it("stands a shared file's entries for the file itself, once, sorted", () => {
    const hashed = [".claude/agents/b.md", ".claude/agents/a.md", ".claude/settings.json#hooks/PreToolUse/abc", ".mcp.json#mcpServers/kit"];
    const targets = [".claude/settings.json#hooks/PreToolUse/abc", ".claude/settings.json#hooks/Stop/def", ".mcp.json#mcpServers/kit", ".claude/commands/kit/greet.md"];
    expect(statFiles(hashed, targets)).toEqual([".claude/agents/a.md", ".claude/agents/b.md", ".claude/commands/kit/greet.md", ".claude/settings.json", ".mcp.json"]);
  });
});
