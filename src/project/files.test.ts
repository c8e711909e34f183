import { describe, expect, it } from "vitest";
import { parseLockfile, serializeLockfile, isSafeAgentFile, emptyLockfile } from "./lockfile.js";
import { isSafePluginTarget } from "./lock-plugins.js";
import { isProjectTarget } from "./containment.js";
import { parseManifest, serializeManifest } from "./manifest.js";
import { stableStringify } from "../util/json.js";
import path from "node:path";
import { scopeAt, scopeFile } from "./scope.js";

const sha = "ab".repeat(32);
const entry = { version: "1.0.0", registry: "default", url: "builtin", commit: null, path: "agents/x/1.0.0.md", sha256: sha, file: ".claude/agents/x.md" };

describe("lockfile", () => {
  it("round-trips with sorted keys and a final newline, byte-stable", () => {
    const lock = { lockfileVersion: 1, agents: { z: { ...entry, file: ".claude/agents/z.md" }, x: entry }, plugins: {} };
    const text = serializeLockfile(lock);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.indexOf('"x"')).toBeLessThan(text.indexOf('"z"'));
    expect(text.indexOf('"commit"')).toBeLessThan(text.indexOf('"version"'));
    expect(serializeLockfile(parseLockfile(text, "l"))).toBe(text);
    expect(serializeLockfile(emptyLockfile())).toBe('{\n  "agents": {},\n  "lockfileVersion": 1\n}\n');
  });

  it("writes exactly what the generic stable JSON would, local hashes included", () => {
    const agents = { b: { ...entry, commit: "abc1234", localSha256: "cd".repeat(32) }, a: entry };
    expect(serializeLockfile({ lockfileVersion: 1, agents, plugins: {} })).toBe(stableStringify({ lockfileVersion: 1, agents }));
  });

  it.each([
    ["not json", "{", /invalid JSON/],
    ["conflict markers", `{\n<<<<<<< HEAD\n"a": 1\n=======\n>>>>>>> x\n}`, /:2: contains git conflict markers/],
    ["unknown version", JSON.stringify({ lockfileVersion: 9, agents: {} }), /lockfileVersion 9 is not supported/],
    ["unknown field", JSON.stringify({ lockfileVersion: 1, agents: {}, extra: 1 }), /unknown field "extra"/],
    ["bad sha", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, sha256: "zz" } } }), /sha256/],
    ["escaping file", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, file: ".claude/agents/../../etc/x.md" } } }), /inside .claude\/agents/],
    ["bad name", JSON.stringify({ lockfileVersion: 1, agents: { "../x": entry } }), /invalid agent name/],
    ["bad version", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, version: "one" } } }), /not a semver/],
    ["a path climbing out of the registry", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, path: "../../../../tmp/x" } } }), /^\.claude\/agentpkg\.lock: agents\.x\.path must be a relative path inside the registry/],
    ["a path climbing out midway", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, path: "agents/../../x.md" } } }), /agents\.x\.path must be/],
    ["an absolute path", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, path: "/etc/passwd" } } }), /agents\.x\.path must be/],
    ["a url with credentials", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, url: "https://deploy:s3cret@host/r.git" } } }), /^\.claude\/agentpkg\.lock: agents\.x\.url: invalid registry url "https:\/\/\*\*\*@host\/r\.git": it contains a password or token/],
    ["a url git would take as an option", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, url: "--upload-pack=x" } } }), /agents\.x\.url: invalid registry url/],
    ["a backslash path", JSON.stringify({ lockfileVersion: 1, agents: { x: { ...entry, path: "..\\x.md" } } }), /agents\.x\.path must be/],
  ])("refuses %s", (_label, text, re) => {
    expect(() => parseLockfile(text, ".claude/agentpkg.lock")).toThrow(re);
  });

  it.each([
    [".claude/agents/x.md", true],
    [".claude/agents/sub/x.md", true],
    [".claude/agents/x.txt", false],
    ["/etc/x.md", false],
    [".claude/agents/../x.md", false],
    ["x.md", false],
    [".claude/agents/./x.md", false],
    [".claude/agents//x.md", false],
    [".claude/agents/sub/../x.md", false],
    [".claude/agents/a\\b.md", false],
    [".claude/agents/x\0.md", false],
    [".claude/agents/.hidden.md", true],
  ])("isSafeAgentFile(%s) = %s", (p, ok) => expect(isSafeAgentFile(p)).toBe(ok));
});

describe("manifest", () => {
  it("round-trips: registries keep their order, agents are sorted, pinned agents use the object form", () => {
    const text = JSON.stringify({ registries: { b: "file:///b", a: "git@github.com:a/b.git" }, agents: { z: "^1.0.0", y: { registry: "b", version: "~2.1" } } });
    const m = parseManifest(text, "m");
    expect(Object.keys(m.registries)).toEqual(["b", "a"]);
    expect(serializeManifest(m)).toBe(
      '{\n  "registries": {\n    "b": "file:///b",\n    "a": "git@github.com:a/b.git"\n  },\n  "agents": {\n    "y": {\n      "registry": "b",\n      "version": "~2.1"\n    },\n    "z": "^1.0.0"\n  }\n}\n',
    );
  });

  it("keeps a $schema url as written", () => {
    const text = '{\n  "$schema": "https://example.com/s.json",\n  "registries": {},\n  "agents": {}\n}\n';
    expect(serializeManifest(parseManifest(text, "m"))).toBe(text);
  });

  it.each([
    ["bad range", { agents: { x: ">>1" } }, /invalid version range/],
    ["ext url", { registries: { a: "ext::sh -c x" } }, /transport helpers/],
    ["dash url", { registries: { a: "--upload-pack=x" } }, /must not start with '-'/],
    ["url with credentials", { registries: { team: "https://deploy:s3cret@host/r.git" } }, /^\.claude\/agentpkg\.json: registries\.team: invalid registry url "https:\/\/\*\*\*@host\/r\.git": it contains a password or token/],
    ["url with credentials, object form", { registries: { team: { url: "https://deploy:s3cret@host/r.git", type: "plain" } } }, /registries\.team: invalid registry url "https:\/\/\*\*\*@host/],
    ["bad agent name", { agents: { "../x": "^1" } }, /invalid agent name/],
    ["unknown field", { agentz: {} }, /unknown field "agentz"/],
    ["not an object", [], /must be a JSON object/],
  ])("refuses %s", (_l, value, re) => {
    expect(() => parseManifest(JSON.stringify(value), ".claude/agentpkg.json")).toThrow(re);
  });

  it("refuses credentials with the credential-helper hint, never echoing them", () => {
    const text = JSON.stringify({ registries: { team: "https://deploy:s3cret@host/r.git" } });
    expect(() => parseManifest(text, "m")).toThrow(expect.objectContaining({ code: "E_MANIFEST_INVALID", exitCode: 1, hint: expect.stringMatching(/credential helper/) }));
    expect(() => parseManifest(text, "m")).toThrow(expect.not.objectContaining({ message: expect.stringContaining("s3cret") }));
  });
});

describe("scopeFile", () => {
  it("is path.join of the root and a relative path, also for paths that need normalising", () => {
    const scope = scopeAt("/work/p", false);
    for (const rel of [".claude/agents/x.md", ".claude/agents/sub/y.md", ".claude/agents/../x.md", "./a.md", "a//b.md", "a/./b.md", "a/", ""]) {
      expect(scopeFile(scope, rel), rel).toBe(path.join("/work/p", ...rel.split("/")));
    }
    expect(scopeFile(scopeAt("/", false), ".claude/agents/x.md")).toBe("/.claude/agents/x.md");
  });
});


describe("names that are also Object.prototype properties", () => {
  const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf"];

  it("round-trip through the manifest and the lockfile, and never find inherited entries", () => {
    const agents = Object.fromEntries(NAMES.map((n) => [n, "^1.0.0"]));
    const text = serializeManifest(parseManifest(JSON.stringify({ registries: { constructor: "https://example.com/r.git" }, agents }), "m"));
    const m = parseManifest(text, "m");
    expect(Object.keys(m.agents)).toEqual(NAMES.slice().sort());
    expect(m.registries.constructor).toBe("https://example.com/r.git");
    expect(m.agents.constructor).toEqual({ range: "^1.0.0", registry: undefined });
    expect(parseManifest("{}", "m").agents.toString).toBeUndefined();
    expect(parseManifest("{}", "m").registries.constructor).toBeUndefined();

    const entry = { version: "1.0.0", registry: "default", url: "builtin", commit: null, path: "a.md", sha256: "a".repeat(64) };
    const lockText = JSON.stringify({ lockfileVersion: 1, agents: Object.fromEntries(NAMES.map((n) => [n, { ...entry, file: `.claude/agents/${n}.md` }])) });
    const lock = parseLockfile(lockText, "l");
    expect(parseLockfile(serializeLockfile(lock), "l")).toEqual(lock);
    expect(lock.agents.hasOwnProperty).toMatchObject({ file: ".claude/agents/hasOwnProperty.md" });
    expect(emptyLockfile().agents.constructor).toBeUndefined();
    expect(parseLockfile('{"lockfileVersion":1,"agents":{}}', "l").agents.toString).toBeUndefined();
  });

  it("refuses __proto__ as a name (names start with a letter or digit) instead of losing it", () => {
    expect(() => parseManifest('{"agents":{"__proto__":"^1"}}', "m")).toThrow('invalid agent name "__proto__"');
    expect(() => parseLockfile('{"lockfileVersion":1,"agents":{"__proto__":{}}}', "l")).toThrow('invalid agent name "__proto__"');
  });
});

describe("shared files per scope", () => {
  it.each([
    [".mcp.json#mcpServers/srv", false, true],
    [".mcp.json#mcpServers/srv", true, false],
    [".claude.json#mcpServers/srv", true, true],
    [".claude.json#mcpServers/srv", false, false],
    [".claude.json#projects/srv", true, false],
  ])("an MCP server at %s, user scope %s: %s", (file, global, ok) => {
    expect(isSafePluginTarget(file, "mcp", "kit", global)).toBe(ok);
  });

  it("hooks live in .claude/settings.json in both scopes; ~/.claude.json is a target of the user scope only", () => {
    expect(isSafePluginTarget(`.claude/settings.json#hooks/Stop/${"a".repeat(12)}`, "hook", "kit", true)).toBe(true);
    expect([isProjectTarget(".claude.json"), isProjectTarget(".claude.json", true), isProjectTarget(".mcp.json"), isProjectTarget(".mcp.json", true)]).toEqual([false, true, true, false]);
  });
});
