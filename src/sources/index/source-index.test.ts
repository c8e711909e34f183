import { describe, expect, it } from "vitest";
import { agentIdentity, exposeAgents, type FoundAgent } from "./source-index.js";
import { isValidAgentRef } from "../../util/names.js";
import { agentFileFor } from "../../project/lockfile.js";
import { parseSpec } from "../spec.js";

const agent = (name: string, extra = "") => `---\nname: ${name}\ndescription: does ${name}\n${extra}---\nbody\n`;

describe("agentIdentity", () => {
  it("is the name field", () => {
    const w: string[] = [];
    expect(agentIdentity(agent("code-reviewer"), "a/x.md", "r", w, false)).toEqual({ name: "code-reviewer", description: "does code-reviewer" });
    expect(w).toEqual([]);
  });

  it("ignores docs quietly in plain repos: no frontmatter, or frontmatter without name or description", () => {
    const w: string[] = [];
    expect(agentIdentity("# Title\n", "README.md", "r", w, false)).toBeUndefined();
    expect(agentIdentity("---\ntitle: Guide\nlayout: page\n---\ntext\n", "docs/guide.md", "r", w, false)).toBeUndefined();
    expect(w).toEqual([]);
  });

  it("warns about (and skips) broken agents, naming the file and line", () => {
    const w: string[] = [];
    expect(agentIdentity("---\nname: x\n---\nno description\n", "agents/x.md", "r", w, false)).toBeUndefined();
    expect(agentIdentity("no frontmatter\n", "plugins/p/agents/notes.md", "r", w, true)).toBeUndefined();
    expect(agentIdentity("# readme\n", "plugins/p/agents/README.md", "r", w, true)).toBeUndefined();
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^r: agents\/x\.md.*description.*; skipped$/);
    expect(w[1]).toMatch(/^r: plugins\/p\/agents\/notes\.md: no YAML frontmatter.*; skipped$/);
  });

  it("falls back to the file stem when the name cannot be a file name", () => {
    const w: string[] = [];
    expect(agentIdentity(agent('"Code Reviewer"'), "agents/code-reviewer.md", "r", w, false)?.name).toBe("code-reviewer");
    expect(w[0]).toMatch(/name "Code Reviewer" cannot be a file name; listed as "code-reviewer"/);
    expect(agentIdentity(agent('"A B"'), "agents/a b.md", "r", w, false)).toBeUndefined();
    expect(w[1]).toMatch(/; skipped$/);
  });
});

describe("exposeAgents", () => {
  const found = (name: string, qualifier: string | undefined, path: string): FoundAgent => ({
    name,
    qualifier,
    path,
    versions: { "1.0.0": { version: "1.0.0", path } },
  });

  it("lists unique names plainly (with a qualifier:name alias) and shared names qualified", () => {
    const w: string[] = [];
    const x = exposeAgents(
      [found("reviewer", "beta", "plugins/beta/agents/reviewer.md"), found("reviewer", "alpha", "plugins/alpha/agents/reviewer.md"), found("solo", "alpha", "plugins/alpha/agents/solo.md")],
      "plugin",
      w,
    );
    expect(Object.keys(x.agents).sort()).toEqual(["alpha:reviewer", "beta:reviewer", "solo"]);
    expect(x.agents["alpha:reviewer"]!.name).toBe("alpha:reviewer");
    expect(x.agents["alpha:reviewer"]!.versions["1.0.0"]!.path).toBe("plugins/alpha/agents/reviewer.md");
    expect(x.aliases).toEqual({ "alpha:solo": "solo" });
    expect(x.ambiguous).toEqual({ reviewer: ["alpha:reviewer", "beta:reviewer"] });
    expect(w).toEqual(['agent "reviewer" is defined by several plugins; install it as alpha:reviewer or beta:reviewer']);
  });

  it("names the plugin each of a marketplace's agents comes from; a plain repository's folders are not plugins", () => {
    const fromPlugins = exposeAgents([found("reviewer", "beta", "b/r.md"), found("reviewer", "alpha", "a/r.md"), found("solo", "alpha", "a/s.md")], "plugin", []);
    expect(Object.values(fromPlugins.agents).map((a) => [a.name, a.plugin])).toEqual([
      ["alpha:reviewer", "alpha"],
      ["beta:reviewer", "beta"],
      ["solo", "alpha"],
    ]);
    const fromFolders = exposeAgents([found("solo", "agents", "agents/solo.md")], "folder", []);
    expect(fromFolders.agents.solo!.plugin).toBeUndefined();
  });

  it("keeps the first of two same-named files in one plugin, and skips twins it cannot tell apart", () => {
    const w: string[] = [];
    const x = exposeAgents([found("a", "p", "p/agents/z.md"), found("a", "p", "p/agents/a.md"), found("b", undefined, "b.md"), found("b", "x", "x/b.md")], "plugin", w);
    expect(x.agents.a!.versions["1.0.0"]!.path).toBe("p/agents/a.md");
    expect(Object.keys(x.agents).sort()).toEqual(["a", "x:b"]);
    expect(w.join("\n")).toMatch(/"a" is defined twice in plugin p \(p\/agents\/a\.md, p\/agents\/z\.md\); using p\/agents\/a\.md/);
    expect(w.join("\n")).toMatch(/"b" in b\.md has the same name as another/);
  });
});

describe("plugin:agent names", () => {
  it("are valid agent refs, parse as specs, and install as plugin/agent.md", () => {
    expect(isValidAgentRef("alpha:reviewer")).toBe(true);
    expect(isValidAgentRef("a:b:c")).toBe(false);
    expect(isValidAgentRef(":x")).toBe(false);
    expect(isValidAgentRef("a/b:c")).toBe(false);
    expect(parseSpec("mk/alpha:reviewer@^1.0")).toMatchObject({ registry: "mk", name: "alpha:reviewer", range: "^1.0" });
    expect(parseSpec("alpha:reviewer@abc1234")).toMatchObject({ name: "alpha:reviewer", range: "abc1234" });
    expect(() => parseSpec("a:b:c")).toThrow(/invalid agent spec/);
    expect(agentFileFor("alpha:reviewer")).toBe(".claude/agents/alpha/reviewer.md");
    expect(agentFileFor("reviewer")).toBe(".claude/agents/reviewer.md");
  });
});
