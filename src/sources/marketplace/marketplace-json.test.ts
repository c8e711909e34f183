import { describe, expect, it } from "vitest";
import { entryKey, parseMarketplaceJson, parsePluginJson, repoPath } from "./marketplace-json.js";

const market = (plugins: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "m", owner: { name: "o" }, plugins, ...extra });

describe("parseMarketplaceJson", () => {
  it("reads relative plugin sources, versions, descriptions and agent paths", () => {
    const m = parseMarketplaceJson(
      market([
        { name: "a", source: "./plugins/a", version: "1.2.0", description: "A", agents: ["./agents/x.md", "./more/"] },
        { name: "b", source: "plugins/b/", version: "v2.0.0", agents: "./custom" },
        { name: "c", source: "./" },
      ]),
      "mk",
    );
    expect(m.name).toBe("m");
    expect(m.warnings).toEqual([]);
    const components = (agents: string[], strict = true) => ({ agents, commands: [], skills: [], outputStyles: [], hooks: [], mcpServers: [], strict });
    expect(m.plugins.map((p) => ({ ...p }))).toEqual([
      { name: "a", roots: ["plugins/a"], version: "1.2.0", description: "A", agents: ["./agents/x.md", "./more/"], components: components(["./agents/x.md", "./more/"]) },
      { name: "b", roots: ["plugins/b"], version: "2.0.0", description: undefined, agents: ["./custom"], components: components(["./custom"]) },
      { name: "c", roots: [""], version: undefined, description: undefined, agents: [], components: components([]) },
    ]);
  });

  it("tries metadata.pluginRoot first, then the path as written", () => {
    const m = parseMarketplaceJson(market([{ name: "a", source: "a" }, { name: "b", source: "./plugins/b" }], { metadata: { pluginRoot: "./plugins" } }), "mk");
    expect(m.plugins.map((p) => p.roots)).toEqual([["plugins/a", "a"], ["plugins/plugins/b", "plugins/b"]]);
  });

  it.each([
    [{ source: "github", repo: "acme/x" }, { kind: "github", url: "https://github.com/acme/x.git", path: "" }],
    [{ source: "github", repo: "acme/x.git", ref: "v1.2.0" }, { kind: "github", url: "https://github.com/acme/x.git", path: "", ref: "v1.2.0" }],
    [{ source: "url", url: "https://gitlab.com/t/p.git", sha: "A".repeat(40) }, { kind: "url", url: "https://gitlab.com/t/p.git", path: "", sha: "a".repeat(40) }],
    [{ source: "url", url: "git@github.com:t/p.git", path: "./sub/dir/" }, { kind: "url", url: "git@github.com:t/p.git", path: "sub/dir" }],
    [{ source: "git-subdir", url: "https://github.com/t/mono.git", path: "plugins/x", ref: "main" }, { kind: "git-subdir", url: "https://github.com/t/mono.git", path: "plugins/x", ref: "main" }],
    [{ source: "git-subdir", repo: "t/mono", path: "plugins/x" }, { kind: "git-subdir", url: "https://github.com/t/mono.git", path: "plugins/x" }],
  ])("source %j is a plugin in another repository", (source, external) => {
    const [p] = parseMarketplaceJson(market([{ name: "x", source }]), "mk").plugins;
    expect(p!.roots).toEqual([]);
    expect(p!.unsupported).toBeUndefined();
    expect(p!.external).toEqual(external);
  });

  it.each([
    [{ source: "github", repo: "-acme/x" }, /"repo" is not OWNER\/NAME/],
    [{ source: "github", repo: "acme" }, /"repo" is not OWNER\/NAME/],
    [{ source: "url" }, /has no "url"/],
    [{ source: "url", url: "ext::sh -c evil" }, /refuses.*transport helpers/],
    [{ source: "url", url: "-uhttps://x" }, /refuses.*must not start with '-'/],
    [{ source: "url", url: "http://plain.example/p.git" }, /refuses.*scheme http/],
    [{ source: "url", url: "https://user:secret@host/p.git" }, /refuses.*password or token/],
    [{ source: "url", url: "file:///home/me/secrets" }, /a local repository, which only a local marketplace may name/],
    [{ source: "url", url: "/home/me/secrets" }, /a local repository/],
    [{ source: "url", url: "https://h/p.git", ref: "--upload-pack=evil" }, /"ref" is not a branch or tag name/],
    [{ source: "url", url: "https://h/p.git", ref: "main:refs/heads/x" }, /"ref" is not a branch or tag name/],
    [{ source: "url", url: "https://h/p.git", ref: "a/../b" }, /"ref" is not a branch or tag name/],
    [{ source: "url", url: "https://h/p.git", sha: "abc123" }, /"sha" is not a full 40-digit commit id/],
    [{ source: "git-subdir", url: "https://h/p.git" }, /has no "path"/],
    [{ source: "git-subdir", url: "https://h/p.git", path: "../up" }, /"path" is not a folder inside that repository/],
    [{ source: "npm", package: "@acme/plugin" }, /npm source \(@acme\/plugin\).*does not support/],
    [{ source: "ftp-thing" }, /"ftp-thing" source/],
    ["../outside", /points outside the repository/],
    ["https://example.com/p", /is a url/],
  ])("source %j is reported as unsupported, not a crash", (source, reason) => {
    const [p] = parseMarketplaceJson(market([{ name: "x", source }]), "mk").plugins;
    expect(p!.roots).toEqual([]);
    expect(p!.external).toBeUndefined();
    expect(p!.unsupported).toMatch(reason);
  });

  it("a local marketplace may name plugins in local repositories", () => {
    const [p] = parseMarketplaceJson(market([{ name: "x", source: { source: "url", url: "file:///srv/p.git" } }]), "mk", { allowLocal: true }).plugins;
    expect(p!.external).toEqual({ kind: "url", url: "file:///srv/p.git", path: "" });
  });

  it("warns about nameless and repeated entries and keeps going", () => {
    const m = parseMarketplaceJson(market([{ source: "./a" }, "junk", { name: "a", source: "./a" }, { name: "a", source: "./b" }]), "mk");
    expect(m.plugins.map((p) => p.roots)).toEqual([["a"]]);
    expect(m.warnings).toEqual([
      ".claude-plugin/marketplace.json: plugins[0] has no name; skipped",
      ".claude-plugin/marketplace.json: plugins[1] has no name; skipped",
      '.claude-plugin/marketplace.json: plugin "a" is listed twice; the first entry wins',
    ]);
  });

  it.each([
    ["{ not json", /mk \.claude-plugin\/marketplace\.json:1: invalid JSON/],
    ["[]", /must be a JSON object/],
    [JSON.stringify({ name: "m" }), /"plugins" must be an array/],
    [JSON.stringify({ plugins: { a: {} } }), /"plugins" must be an array/],
  ])("a malformed file is a clear registry error: %s", (text, message) => {
    expect(() => parseMarketplaceJson(text, "mk")).toThrow(message);
    try {
      parseMarketplaceJson(text, "mk");
    } catch (e) {
      expect((e as { code: string }).code).toBe("E_REGISTRY_INVALID");
    }
  });

  it("entryKey changes only when that plugin's entry does", () => {
    const a = parseMarketplaceJson(market([{ name: "a", source: "./a", version: "1.0.0" }, { name: "b", source: "./b" }]), "");
    const b = parseMarketplaceJson(market([{ name: "a", source: "./a", version: "1.0.0" }, { name: "b", source: "./b", version: "2.0.0" }]), "");
    expect(entryKey(a, "a")).toBe(entryKey(b, "a"));
    expect(entryKey(a, "b")).not.toBe(entryKey(b, "b"));
    expect(entryKey(undefined, "a")).toBe("");
  });
});

describe("parsePluginJson", () => {
  it("reads version (normalised), description and agents (string or list)", () => {
    expect(parsePluginJson(JSON.stringify({ name: "p", version: "1.4.2", description: "d", agents: "./x/" }))).toEqual({ version: "1.4.2", description: "d", agents: ["./x/"] });
    expect(parsePluginJson(JSON.stringify({ version: "v1.2", agents: ["./a.md", 3, "./b.md"] }))).toEqual({ version: "1.2.0", description: undefined, agents: ["./a.md", "./b.md"] });
    expect(parsePluginJson(JSON.stringify({ version: "not a version" }))?.version).toBeUndefined();
  });

  it("is lenient: broken JSON or a non-object is undefined, never an exception", () => {
    expect(parsePluginJson("{")).toBeUndefined();
    expect(parsePluginJson("[1]")).toBeUndefined();
  });
});

describe("repoPath", () => {
  it.each([
    [["./plugins/a/"], "plugins/a"],
    [["."], ""],
    [["./"], ""],
    [["plugins/a", "./agents"], "plugins/a/agents"],
    [["a//b/./c"], "a/b/c"],
    [["a", "../b"], "b"],
    [[".."], undefined],
    [["a", "../../b"], undefined],
    [["/etc"], undefined],
    [["a\\b"], undefined],
  ])("%j -> %j", (parts, want) => {
    expect(repoPath(...parts)).toBe(want);
  });
});
