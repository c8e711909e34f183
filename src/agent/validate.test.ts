import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_AGENT_BYTES } from "./parse.js";
import { validateAgentFiles, validateAgentText } from "./validate.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = join(ROOT, "test/fixtures/agents");
const SEEDS = resolve(ROOT, "../shared/seeds");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const summary = (text: string, file?: string): string[] =>
  validateAgentText(text, file === undefined ? undefined : { file }).map((p) => `${p.severity}:${p.code}@${p.line ?? "-"}`);
const agent = (fm: string, body = "\nPrompt.\n"): string => `---\n${fm}\n---\n${body}`;

describe("validateAgentText: fixtures", () => {
  it.each([
    ["valid.md", []],
    ["crlf.md", []],
    ["underscore-name-amber.md", ["warning:name-format@2", "warning:color-unknown@9"]],
    [
      "long-examples.md",
      [
        "warning:description-escapes@3",
        "warning:description-examples@3",
        "warning:description-long@3",
        "warning:tools-comma-string@4",
      ],
    ],
    ["comma-tools.md", ["warning:tools-comma-string@4"]],
    ["retry-colon.md", ["warning:yaml-retry@3"]],
    ["broken-yaml.md", ["error:yaml-invalid@6"]],
    ["blank-line-before.md", ["error:frontmatter-leading-blank@1"]],
    ["capitalised-name.md", ["error:name-key-case@2"]],
  ])("%s", (name, expected) => {
    expect(summary(fixture(name))).toEqual(expected);
  });

  it("the CRLF fixture really uses CRLF and validates like its LF twin", () => {
    const text = fixture("crlf.md");
    expect(text).toContain("\r\n");
    expect(summary(text.replace(/\r?\n/g, "\r\n"))).toEqual(summary(text.replace(/\r\n/g, "\n")));
  });

  it("a generated file over 1 MiB is an error", () => {
    const text = fixture("valid.md") + "x".repeat(MAX_AGENT_BYTES);
    expect(summary(text)).toEqual(["error:file-too-large@-"]);
  });
});

describe("validateAgentText: field warnings", () => {
  const base = "name: a\ndescription: d\ntools: [Read]";
  it.each([
    ["model alias", "model: opus", []],
    ["model full id", "model: claude-sonnet-4-5-20250929", []],
    ["model unknown", "model: gpt-4o", ["warning:model-unknown@5"]],
    ["color known", "color: cyan", []],
    ["color unknown", "color: amber", ["warning:color-unknown@5"]],
    ["permissionMode known", "permissionMode: acceptEdits", []],
    ["permissionMode dontAsk", "permissionMode: dontAsk", []],
    ["permissionMode unknown", "permissionMode: yolo", ["warning:permission-mode-unknown@5"]],
    ["effort level", "effort: xhigh", []],
    ["effort integer", "effort: 3", []],
    ["effort invalid", "effort: extreme", ["warning:effort-invalid@5"]],
    ["memory valid", "memory: project", []],
    ["memory invalid", "memory: global", ["warning:memory-invalid@5"]],
    ["isolation valid", "isolation: worktree", []],
    ["isolation invalid", "isolation: docker", ["warning:isolation-invalid@5"]],
    ["background bool", "background: true", []],
    ["background string", "background: sometimes", ["warning:background-invalid@5"]],
    ["maxTurns valid", "maxTurns: 10", []],
    ["maxTurns zero", "maxTurns: 0", ["warning:max-turns-invalid@5"]],
    ["maxTurns float", "maxTurns: 2.5", ["warning:max-turns-invalid@5"]],
    ["skills list", "skills: [pdf, xlsx]", []],
    ["hooks mapping", "hooks:\n  Stop:\n    - hooks: []", []],
    ["mcpServers list", "mcpServers: [github]", []],
    ["initialPrompt", "initialPrompt: Start by reading README.md", []],
    ["unknown field", "category: development", ["warning:field-unknown@5"]],
    ["key case of optional field", "Model: opus", ["warning:field-key-case@5"]],
    ["disallowedTools comma string", "disallowedTools: Write, Edit", ["warning:tools-comma-string@5"]],
    ["disallowedTools unknown tool", "disallowedTools: [Wrte]", ["warning:tool-unknown@5"]],
  ])("%s", (_label, extra, expected) => {
    expect(summary(agent(`${base}\n${extra}`))).toEqual(expected);
  });

  it.each([
    ["no tools list", "name: a\ndescription: d", ["warning:tools-missing@-"]],
    ["name not kebab-case", "name: MyAgent\ndescription: d\ntools: [Read]", ["warning:name-format@2"]],
    ["tools not a list", "name: a\ndescription: d\ntools: 5", ["warning:tools-invalid@4"]],
    ["known tools and patterns", "name: a\ndescription: d\ntools: [Bash(git:*), mcp__github__get_issue, Task, Skill]", []],
    ["unknown tool", "name: a\ndescription: d\ntools: [Read, Browser]", ["warning:tool-unknown@4"]],
  ])("%s", (_label, fm, expected) => {
    expect(summary(agent(fm))).toEqual(expected);
  });

  it("warns about an empty body", () => {
    expect(summary(agent("name: a\ndescription: d\ntools: [Read]", "\n"))).toEqual(["warning:body-empty@-"]);
  });

  it("file option: non-.md files are not loaded; file name vs name is a warning", () => {
    const text = agent("name: a\ndescription: d\ntools: [Read]");
    expect(summary(text, "agents/a.md")).toEqual([]);
    expect(summary(text, "agents/b.md")).toEqual(["warning:name-file-mismatch@2"]);
    expect(summary(text, "agents/a.txt")).toEqual(["error:file-extension@-"]);
  });

  it("errors are exactly the cases Claude Code would not load", () => {
    for (const name of ["valid.md", "crlf.md", "comma-tools.md", "retry-colon.md", "long-examples.md", "underscore-name-amber.md"]) {
      expect(validateAgentText(fixture(name)).filter((p) => p.severity === "error")).toEqual([]);
    }
    for (const name of ["broken-yaml.md", "blank-line-before.md", "capitalised-name.md"]) {
      expect(validateAgentText(fixture(name)).some((p) => p.severity === "error")).toBe(true);
    }
  });
});

describe("validateAgentFiles", () => {
  it("adds a duplicate-name error to every file sharing a name", () => {
    const a = agent("name: reviewer\ndescription: one\ntools: [Read]");
    const b = agent("description: two\nname: reviewer\ntools: [Read]");
    const c = agent("name: other\ndescription: three\ntools: [Read]");
    const out = validateAgentFiles([
      { path: "reviewer.md", text: a },
      { path: "reviewer-copy.md", text: b },
      { path: "other.md", text: c },
    ]);
    expect(out.map((r) => r.path)).toEqual(["reviewer.md", "reviewer-copy.md", "other.md"]);
    const dup = (i: number) => out[i]?.problems.filter((p) => p.code === "duplicate-name") ?? [];
    expect(dup(0)).toMatchObject([{ severity: "error", line: 2, message: expect.stringContaining("reviewer-copy.md") }]);
    expect(dup(1)).toMatchObject([{ severity: "error", line: 3, message: expect.stringContaining("reviewer.md") }]);
    expect(dup(2)).toEqual([]);
  });

  it("files that do not load cannot collide", () => {
    const good = agent("name: x\ndescription: d\ntools: [Read]");
    const out = validateAgentFiles([
      { path: "x.md", text: good },
      { path: "x-broken.md", text: `\n${good}` },
      { path: "x.txt", text: good },
    ]);
    expect(out.flatMap((r) => r.problems).filter((p) => p.code === "duplicate-name")).toEqual([]);
  });

  it("validates the fixture directory as one scope", () => {
    const files = readdirSync(FIXTURES).map((f) => ({ path: f, text: fixture(f) }));
    const out = validateAgentFiles(files);
    expect(out).toHaveLength(files.length);
    expect(out.flatMap((r) => r.problems).some((p) => p.code === "duplicate-name")).toBe(false);
  });
});

describe.skipIf(!existsSync(SEEDS))("real-world seed agents (../shared/seeds)", () => {
  const files = existsSync(SEEDS) ? readdirSync(SEEDS).filter((f) => !f.startsWith(".")).sort() : [];

  it("validates every seed without throwing and finds at least one problem in each", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(SEEDS, f), "utf8");
      let problems: ReturnType<typeof validateAgentText> = [];
      expect(() => (problems = validateAgentText(text, { file: f }))).not.toThrow();
      expect(problems.length, f).toBeGreaterThan(0);
    }
  });

  it("flags the quirks known to be in the seeds", () => {
    const expected: Record<string, string[]> = {
      "000_": ["name-format", "color-unknown"],
      "001_": ["description-examples"],
      "002_": ["tools-comma-string"],
      "004_": ["tools-comma-string", "description-escapes"],
    };
    for (const [prefix, codes] of Object.entries(expected)) {
      const f = files.find((n) => n.startsWith(prefix));
      if (!f) continue; // a different seed set: only the generic test above applies
      const got = validateAgentText(readFileSync(join(SEEDS, f), "utf8")).map((p) => p.code);
      expect(got, f).toEqual(expect.arrayContaining(codes));
    }
  });
});
