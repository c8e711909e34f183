import { describe, expect, it } from "vitest";
import { aggregateState, describeTarget, fileState, isAgentpkgLeftover, ownedFolders, partsByKind, targetStates, trackedFiles } from "./plugin-state.js";
import type { PluginLock } from "./lock-plugins.js";
import type { Lockfile } from "./lockfile.js";

const sha = (c: string) => c.repeat(64);

const kit: PluginLock = {
  version: "1.0.0",
  registry: "mk",
  url: "file:///mk",
  commit: "c".repeat(40),
  root: "plugins/kit",
  files: {
    ".claude/agentpkg/plugins/kit/scripts/hello.sh": { kind: "file", part: "kit", path: "scripts/hello.sh", sha256: sha("1") },
    ".claude/agents/kit/planner.md": { kind: "agent", part: "planner", path: "agents/planner.md", sha256: sha("2") },
    ".claude/commands/kit/greet.md": { kind: "command", part: "kit:greet", path: "commands/greet.md", sha256: sha("3"), localSha256: sha("9") },
    ".claude/commands/kit/sub/deep.md": { kind: "command", part: "kit:sub:deep", path: "commands/sub/deep.md", sha256: sha("4") },
    ".claude/skills/alpha/SKILL.md": { kind: "skill", part: "alpha", path: "skills/alpha/SKILL.md", sha256: sha("5") },
    ".claude/skills/alpha/scripts/run.sh": { kind: "skill", part: "alpha", path: "skills/alpha/scripts/run.sh", sha256: sha("6") },
    ".claude/output-styles/terse.md": { kind: "output-style", part: "terse", path: "output-styles/terse.md", sha256: sha("7") },
    ".claude/settings.json#hooks/SessionStart/0123456789ab": { kind: "hook", part: "SessionStart", path: "hooks/hooks.json", sha256: sha("8") },
    ".mcp.json#mcpServers/kit-server": { kind: "mcp", part: "kit-server", path: ".mcp.json", sha256: sha("a") },
  },
};

describe("fileState / aggregateState", () => {
  it("compares what is there with what was written, and with a recorded merge", () => {
    expect(fileState(sha("1"), { sha256: sha("1") })).toBe("ok");
    expect(fileState(sha("2"), { sha256: sha("1") })).toBe("modified");
    expect(fileState(sha("9"), { sha256: sha("1"), localSha256: sha("9") })).toBe("merged");
    expect(fileState(null, { sha256: sha("1") })).toBe("missing");
    expect(fileState(undefined, { sha256: sha("1") })).toBe("missing");
  });

  it("a plugin is as bad as its worst file: missing, modified, merged, ok", () => {
    expect(aggregateState([])).toBe("ok");
    expect(aggregateState(["ok", "merged"])).toBe("merged");
    expect(aggregateState(["merged", "modified", "ok"])).toBe("modified");
    expect(aggregateState(["modified", "missing", "merged"])).toBe("missing");
  });
});

describe("targetStates", () => {
  it("gives every locked target a state, sorted by file; an entry missing from its shared file is missing", () => {
    const disk = new Map<string, string | null>(Object.entries(kit.files).map(([f, e]) => [f, e.sha256]));
    disk.set(".claude/commands/kit/greet.md", sha("9"));
    disk.set(".mcp.json#mcpServers/kit-server", sha("b"));
    disk.set(".claude/settings.json#hooks/SessionStart/0123456789ab", null);
    const states = targetStates(kit, disk);
    expect(states.map((s) => s.file)).toEqual(Object.keys(kit.files).sort());
    expect(states.filter((s) => s.state !== "ok").map((s) => [s.kind, s.state])).toEqual([
      ["command", "merged"],
      ["hook", "missing"],
      ["mcp", "modified"],
    ]);
  });
});

describe("partsByKind", () => {
  it("names each part once, by kind in a fixed order, without support files", () => {
    expect(partsByKind(Object.values(kit.files))).toEqual({
      agent: ["planner"],
      command: ["kit:greet", "kit:sub:deep"],
      skill: ["alpha"],
      "output-style": ["terse"],
      hook: ["SessionStart"],
      mcp: ["kit-server"],
    });
    expect(partsByKind([{ kind: "file", part: "kit" }])).toEqual({});
  });
});

describe("ownedFolders", () => {
  it("is the vendored copy, the command namespace and each skill folder; never the shared agents or styles folders", () => {
    const files = Object.entries(kit.files).map(([file, f]) => ({ file, kind: f.kind }));
    expect(ownedFolders("kit", files)).toEqual([".claude/agentpkg/plugins/kit", ".claude/commands/kit", ".claude/skills/alpha"]);
  });
});

describe("isAgentpkgLeftover", () => {
  it.each([
    ["greet.md.orig", true],
    ["greet.md.orig.2", true],
    ["SKILL.md.conflict", true],
    [".greet.md.123.0badf00d.agentpkg-tmp", true],
    ["greet.md", false],
    ["original.md", false],
    ["notes.txt", false],
  ])("%s -> %s", (name, leftover) => expect(isAgentpkgLeftover(name)).toBe(leftover));
});

describe("describeTarget", () => {
  it("shows a file as is and an entry as what it is, where", () => {
    expect(describeTarget({ file: ".claude/commands/kit/greet.md", kind: "command", part: "kit:greet" })).toBe(".claude/commands/kit/greet.md");
    expect(describeTarget({ file: ".claude/settings.json#hooks/Stop/0123456789ab", kind: "hook", part: "Stop" })).toBe("hook Stop in .claude/settings.json");
    expect(describeTarget({ file: ".mcp.json#mcpServers/db", kind: "mcp", part: "db" })).toBe("MCP server db in .mcp.json");
  });
});

describe("trackedFiles", () => {
  it("holds agents' files and every plugin file and entry", () => {
    const lock = {
      lockfileVersion: 2,
      agents: { a: { version: "1.0.0", registry: "r", url: "builtin", commit: null, path: "agents/a/1.0.0.md", sha256: sha("1"), file: ".claude/agents/a.md" } },
      plugins: { kit },
    } as Lockfile;
    const tracked = trackedFiles(lock);
    expect(tracked.has(".claude/agents/a.md")).toBe(true);
    expect(tracked.has(".claude/agents/kit/planner.md")).toBe(true);
    expect(tracked.has(".mcp.json#mcpServers/kit-server")).toBe(true);
    expect(tracked.size).toBe(1 + Object.keys(kit.files).length);
  });
});
