import { describe, expect, it } from "vitest";
import {
  describePermissionChange,
  normalizeTools,
  permissionChanges,
  requiresConfirmation,
  toolRisk,
  type PermissionChange,
} from "./permissions.js";

describe("normalizeTools", () => {
  it.each<[string, unknown, string[] | "*" | undefined]>([
    ["absent", undefined, undefined],
    ["null", null, undefined],
    ["blank string", "  ", undefined],
    ["star", "*", "*"],
    ["star inside list", ["Read", "*"], "*"],
    ["comma string", "Read, Grep,Glob", ["Read", "Grep", "Glob"]],
    ["space string", "Read Grep  Glob", ["Read", "Grep", "Glob"]],
    ["yaml list", ["Read", "Grep"], ["Read", "Grep"]],
    ["duplicates", "Read, Read", ["Read"]],
    ["patterns keep spaces", "Read, Bash(git diff:*), Bash(npm run test)", ["Read", "Bash(git diff:*)", "Bash(npm run test)"]],
    ["pattern after a space", "Bash (git status)", ["Bash(git status)"]],
    ["empty list", [], []],
  ])("%s", (_name, input, expected) => {
    expect(normalizeTools(input)).toEqual(expected);
  });
});

type Case = [name: string, before: Record<string, unknown>, after: Record<string, unknown>, expected: Partial<PermissionChange>[], risky: boolean];

describe("permissionChanges", () => {
  it.each<Case>([
    ["no changes", { tools: "Read, Grep", model: "sonnet" }, { tools: ["Read", "Grep"], model: "sonnet" }, [], false],
    ["Bash added", { tools: "Read" }, { tools: "Read, Bash" }, [{ field: "tools", kind: "tools-added", added: ["Bash"], risky: true }], true],
    ["Bash pattern added", { tools: "Read" }, { tools: "Read, Bash(git log:*)" }, [{ kind: "tools-added", risky: true }], true],
    ["mcp tool added", { tools: "Read" }, { tools: "Read, mcp__github__create_issue" }, [{ kind: "tools-added", added: ["mcp__github__create_issue"], risky: true }], true],
    ["harmless tool added", { tools: "Read, Grep" }, { tools: ["Read", "Grep", "Glob"] }, [{ kind: "tools-added", added: ["Glob"], risky: false }], false],
    ["tools removed entirely", { tools: "Read, Grep" }, {}, [{ field: "tools", kind: "tools-unrestricted", risky: true }], true],
    ["tools set to *", { tools: "Read" }, { tools: "*" }, [{ kind: "tools-unrestricted", risky: true }], true],
    ["all -> list", {}, { tools: "Read" }, [{ kind: "tools-restricted", risky: false }], false],
    ["absent -> * is no change", {}, { tools: "*" }, [], false],
    ["tool removed", { tools: "Read, Grep" }, { tools: "Read" }, [{ kind: "tools-removed", removed: ["Grep"], risky: false }], false],
    [
      "added and removed",
      { tools: "Read, Grep" },
      { tools: "Read, Write" },
      [{ kind: "tools-added", added: ["Write"], risky: true }, { kind: "tools-removed", removed: ["Grep"], risky: false }],
      true,
    ],
    ["disallowed entry removed", { disallowedTools: "Bash, Write" }, { disallowedTools: "Write" }, [{ field: "disallowedTools", removed: ["Bash"], risky: true }], true],
    ["disallowed entry added", {}, { disallowedTools: ["Bash"] }, [{ field: "disallowedTools", added: ["Bash"], risky: false }], false],
    [
      "permissionMode changed",
      { permissionMode: "default" },
      { permissionMode: "bypassPermissions" },
      [{ field: "permissionMode", kind: "changed", detail: "permissionMode: default -> bypassPermissions", risky: true }],
      true,
    ],
    [
      "hooks added",
      {},
      { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./x.sh" }] }] } },
      [
        { field: "hooks", kind: "changed", detail: "hooks: (unset) -> {PreToolUse}", risky: true },
        { field: "hooks", kind: "program-added", detail: "hook PreToolUse: ./x.sh", risky: true },
      ],
      true,
    ],
    [
      "hooks contents changed",
      { hooks: { Stop: [{ command: "a" }] } },
      { hooks: { Stop: [{ command: "b" }] } },
      [{ field: "hooks", detail: "hooks: {Stop} -> {Stop} (contents changed)", risky: true }], // groups without a hooks list run nothing
      true,
    ],
    ["hooks key order is not a change", { hooks: { a: 1, b: 2 } }, { hooks: { b: 2, a: 1 } }, [], false],
    ["mcpServers removed", { mcpServers: ["github"] }, {}, [{ field: "mcpServers", detail: "mcpServers: [github] -> (unset)", risky: true }], true],
    ["model changed", { model: "sonnet" }, { model: "opus" }, [{ field: "model", kind: "changed", detail: "model: sonnet -> opus", risky: false }], false],
  ])("%s", (_name, before, after, expected, risky) => {
    const changes = permissionChanges(before, after);
    expect(changes).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(changes[i]).toMatchObject(e));
    expect(requiresConfirmation(changes)).toBe(risky);
  });
});

describe("describePermissionChange", () => {
  const one = (before: Record<string, unknown>, after: Record<string, unknown>): string => {
    const [c] = permissionChanges(before, after);
    if (!c) throw new Error("expected a change");
    return describePermissionChange(c);
  };

  it.each([
    [{ tools: "Read" }, { tools: "Read, Bash, WebFetch" }, "+ tools: Bash, WebFetch (Bash can run any shell command; WebFetch can fetch URLs over the network)"],
    [{ tools: "Read, Grep" }, { tools: "Read, Grep, Glob" }, "+ tools: Glob"],
    [{ tools: "Read, Grep" }, { tools: "Read" }, "- tools: Grep"],
    [{ tools: "Read" }, {}, "+ tools: all (was Read; inherits every tool)"],
    [{}, { tools: "Read" }, "- tools: restricted to Read (was all tools)"],
    [{ disallowedTools: "Bash" }, {}, "+ disallowedTools: Bash no longer disallowed"],
    [{ model: "sonnet" }, { model: "opus" }, "~ model: sonnet -> opus"],
  ])("%j -> %j", (before, after, expected) => {
    expect(one(before, after)).toBe(expected);
  });
});

describe("permissionChanges: bounded comparison", () => {
  it("treats a value that expands past the bound (or never ends) as a risky change, without walking it", () => {
    const endless: unknown[] = [];
    endless.push(endless, endless);
    const changes = permissionChanges({ hooks: { a: "x" } }, { hooks: { PreToolUse: endless } });
    expect(changes).toEqual([expect.objectContaining({ field: "hooks", risky: true, detail: "hooks: {a} -> {PreToolUse}" })]);
    expect(permissionChanges({ hooks: endless }, { hooks: endless })).toEqual([expect.objectContaining({ field: "hooks", risky: true })]);
  });

  it("keeps summaries short", () => {
    const [c] = permissionChanges({}, { model: "m".repeat(5000) });
    expect(c!.detail.length).toBeLessThan(260);
  });
});

describe("names that are also Object.prototype properties", () => {
  it("a tool named constructor is not a risk, and a hooks key named __proto__ is a change", () => {
    expect(toolRisk("constructor")).toBeUndefined();
    expect(permissionChanges({ tools: "Read" }, { tools: "Read, constructor" })).toEqual([expect.objectContaining({ kind: "tools-added", risky: false, detail: "tools: constructor" })]);
    const hooks = JSON.parse('{"__proto__": {"PreToolUse": "curl x | sh"}}');
    expect(permissionChanges({ hooks: {} }, { hooks })).toEqual([expect.objectContaining({ field: "hooks", risky: true })]);
  });
});
