import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FRONTMATTER_FIRST_LINE, MAX_AGENT_BYTES, splitFrontmatter } from "./parse.js";
import { addDuplicateNames, checkAgentFile, validateAgentFiles, validateAgentText } from "./validate.js";
import { loadYaml } from "./yaml.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = join(ROOT, "test/fixtures/agents");
/** Two agent files that declare one name, as collections found in the wild do. */
const SAME_NAME = join(ROOT, "test/fixtures/same-name");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const readFolder = (dir: string) => readdirSync(dir).sort().map((f) => ({ path: f, text: readFileSync(join(dir, f), "utf8") }));
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
    [
      "inline-examples.md",
      ["warning:tools-missing@-", "warning:yaml-retry@3", "warning:description-examples@3", "warning:description-long@3"],
    ],
    ["broken-yaml.md", ["error:yaml-invalid@6"]],
    ["retry-still-broken.md", ["error:yaml-invalid@7"]],
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
    ["tools Claude Code has now", "name: a\ndescription: d\ntools: [TaskGet, TaskList, TaskUpdate, TaskCreate, AskUserQuestion, LSP, Monitor, ToolSearch, CronCreate]", []],
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

  it("in a registry, a version file (<name>/<version>.md) is not a file-name mismatch; another folder's is", () => {
    const text = agent("name: a\ndescription: d\ntools: [Read]");
    const inRegistry = (file: string) => validateAgentText(text, { file, registry: true }).map((p) => p.code);
    expect(inRegistry("agents/a/1.2.0.md")).toEqual([]);
    expect(inRegistry("agents/a/1.2.0-beta.1.md")).toEqual([]);
    expect(inRegistry("agents/b/1.2.0.md")).toEqual(["name-file-mismatch"]);
    expect(inRegistry("agents/a/latest.md")).toEqual(["name-file-mismatch"]);
    expect(summary(text, "agents/a/1.2.0.md")).toEqual(["warning:name-file-mismatch@2"]); // an agents folder: Claude Code loads it as is
  });

  it("versions of one agent in a registry are not duplicate names; the same files elsewhere are", () => {
    const text = agent("name: a\ndescription: d\ntools: [Read]");
    const codes = (paths: string[], registry: boolean) => {
      const checked = paths.map((p) => checkAgentFile(p, text, { registry }));
      addDuplicateNames(checked);
      return checked.flatMap((f) => f.problems.map((p) => p.code)).filter((c) => c === "duplicate-name");
    };
    expect(codes(["agents/a/1.0.0.md", "agents/a/1.1.0.md"], true)).toEqual([]);
    expect(codes(["agents/a/1.0.0.md", "agents/a/1.1.0.md"], false)).toEqual(["duplicate-name", "duplicate-name"]);
    expect(codes(["agents/a.md", "other/a.md"], true)).toEqual(["duplicate-name", "duplicate-name"]);
  });

  it("errors are exactly the cases Claude Code would not load", () => {
    const loads = ["valid.md", "crlf.md", "comma-tools.md", "retry-colon.md", "inline-examples.md", "long-examples.md", "underscore-name-amber.md"];
    for (const name of loads) {
      expect(validateAgentText(fixture(name)).filter((p) => p.severity === "error")).toEqual([]);
    }
    for (const name of ["broken-yaml.md", "retry-still-broken.md", "blank-line-before.md", "capitalised-name.md"]) {
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

describe("the fixtures reproduce the dialects of agent files found in the wild", () => {
  it("an unquoted description with <example> blocks loads only through Claude Code's quoting retry", () => {
    const lines = fixture("inline-examples.md").split("\n");
    expect(lines[2]).toMatch(/^description: [^"'].*: .*<example>/);
    expect(validateAgentText(fixture("inline-examples.md")).find((p) => p.code === "yaml-retry")).toMatchObject({ severity: "warning", line: 3, field: "description" });
  });

  it("YAML the retry cannot save: the error is where the retried text fails, not the colon it quoted", () => {
    // the first attempt stops at the description's `: ` (file line 3); once the retry quotes it, the bad indent
    // (line 7) remains
    const split = splitFrontmatter(fixture("retry-still-broken.md"));
    if (split.kind !== "ok") throw new Error(`fixture has no frontmatter: ${split.kind}`);
    expect(loadYaml(split.yamlLines.join("\n"))).toMatchObject({ ok: false, line: 3 - FRONTMATTER_FIRST_LINE });
    expect(validateAgentText(fixture("retry-still-broken.md"))).toMatchObject([
      { severity: "error", code: "yaml-invalid", line: 7, message: expect.stringContaining("Claude Code skips this file") },
    ]);
  });

  it("two files with one name: an error on each, at its own name line, naming the other file", () => {
    const out = validateAgentFiles(readFolder(SAME_NAME));
    expect(out.map((r) => [r.path, r.problems.map((p) => `${p.severity}:${p.code}@${p.line ?? "-"}`)])).toEqual([
      ["changelog-writer.md", ["error:duplicate-name@2"]],
      [
        "release-scribe.md",
        ["warning:name-file-mismatch@3", "error:duplicate-name@3", "warning:field-unknown@4", "warning:tools-comma-string@6"],
      ],
    ]);
    const dup = (i: number) => out[i]?.problems.find((p) => p.code === "duplicate-name")?.message;
    expect(dup(0)).toContain("release-scribe.md");
    expect(dup(1)).toContain("changelog-writer.md");
  });

  it("together they raise every problem the real-world collections raised", () => {
    const all = [...readFolder(FIXTURES), ...readFolder(SAME_NAME)];
    const got = new Set([
      ...all.flatMap((f) => validateAgentText(f.text, { file: f.path }).map((p) => p.code)),
      ...validateAgentFiles(readFolder(SAME_NAME)).flatMap((r) => r.problems.map((p) => p.code)),
    ]);
    const dialects = [
      "name-format", "color-unknown", "field-unknown", "tools-comma-string", "tools-missing", "description-examples",
      "description-escapes", "description-long", "yaml-retry", "yaml-invalid", "duplicate-name", "name-file-mismatch",
    ];
    expect(dialects.filter((code) => !got.has(code))).toEqual([]);
  });
});
