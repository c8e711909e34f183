import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixAgentText } from "./fix.js";
import { parseAgent, splitFrontmatter } from "./parse.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = join(ROOT, "test/fixtures/agents");
const SAME_NAME = join(ROOT, "test/fixtures/same-name");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const agent = (fm: string, body = "\nPrompt.\n"): string => `---\n${fm}\n---\n${body}`;

/** Problems that fix is responsible for removing. */
const FIXABLE = new Set([
  "frontmatter-bom", "frontmatter-leading-blank", "yaml-retry", "yaml-retry-changed",
  "name-key-case", "description-key-case", "field-key-case", "tools-comma-string",
]);
const fixable = (text: string): string[] => parseAgent(text).problems.filter((p) => FIXABLE.has(p.code)).map((p) => p.code);
const bodyOf = (text: string): string | undefined => {
  const s = splitFrontmatter(text);
  return s.kind === "ok" ? s.body : undefined;
};

describe("fixAgentText: fixtures", () => {
  it.each([
    ["valid.md", 0],
    ["crlf.md", 0],
    ["underscore-name-amber.md", 0],
    ["long-examples.md", 1],
    ["comma-tools.md", 1],
    ["retry-colon.md", 1],
    ["inline-examples.md", 1],
    ["blank-line-before.md", 1],
    ["capitalised-name.md", 1],
  ])("%s", (name, changeCount) => {
    const before = fixture(name);
    const { text, changes } = fixAgentText(before);
    expect(changes).toHaveLength(changeCount);
    if (changeCount === 0) expect(text).toBe(before);
    expect(fixable(text)).toEqual([]);
    const after = parseAgent(text);
    expect(after.hasErrors).toBe(false);
    expect(fixAgentText(text)).toEqual({ text, changes: [] }); // idempotent
    const beforeBody = bodyOf(before.replace(/^\s*\n/, ""));
    expect(after.body).toBe(beforeBody);
  });

  it.each(["broken-yaml.md", "retry-still-broken.md"])("leaves truly broken YAML alone: %s", (name) => {
    const before = fixture(name);
    expect(fixAgentText(before)).toEqual({ text: before, changes: [] });
  });

  it("quotes an unquoted description with <example> blocks, keeping its text", () => {
    const before = parseAgent(fixture("inline-examples.md"));
    const { text, changes } = fixAgentText(fixture("inline-examples.md"));
    expect(changes).toEqual(["line 3: quoted the `description` value so it parses without Claude Code's retry"]);
    expect(text.split("\n")[2]).toMatch(/^description: ".*<example>.*"$/);
    expect(parseAgent(text).frontmatter).toEqual(before.frontmatter);
  });

  it("keeps data identical to what Claude Code loaded (retry-colon)", () => {
    const before = parseAgent(fixture("retry-colon.md"));
    const after = parseAgent(fixAgentText(fixture("retry-colon.md")).text);
    expect(after.frontmatter).toEqual(before.frontmatter);
    expect(after.problems).toEqual([]);
  });

  it("comma tools become a YAML list with the same tools", () => {
    const { text } = fixAgentText(fixture("comma-tools.md"));
    expect(text).toContain("tools:\n  - Read\n  - Grep\n  - Glob\n  - Bash\nmodel: haiku\n");
    expect(parseAgent(text).tools).toEqual(["Read", "Grep", "Glob", "Bash"]);
  });
});

describe("fixAgentText: cases", () => {
  it.each([
    ["BOM", `\uFEFF${agent("name: a\ndescription: d\ntools: [Read]")}`, agent("name: a\ndescription: d\ntools: [Read]")],
    ["several blank lines", `\n \n${agent("name: a\ndescription: d\ntools: [Read]")}`, agent("name: a\ndescription: d\ntools: [Read]")],
    ["Name and Description", agent("Name: a\nDescription: d\ntools: [Read]"), agent("name: a\ndescription: d\ntools: [Read]")],
    ["Tools key case", agent("name: a\ndescription: d\nTools: [Read]"), agent("name: a\ndescription: d\ntools: [Read]")],
    ["colon value", agent("name: a\ndescription: Do x: y\ntools: [Read]"), agent('name: a\ndescription: "Do x: y"\ntools: [Read]')],
    ["inner quotes", agent('name: a\ndescription: say "hi": now\ntools: [Read]'), agent('name: a\ndescription: "say \\"hi\\": now"\ntools: [Read]')],
    ["leading tab", agent("name: a\ndescription: d\ntools:\n\t- Read"), agent("name: a\ndescription: d\ntools:\n  - Read")],
    ["pattern tools", agent("name: a\ndescription: d\ntools: Read, Bash(git commit:*)"), agent('name: a\ndescription: d\ntools:\n  - Read\n  - Bash(git commit:*)')],
    ["disallowedTools", agent("name: a\ndescription: d\ntools: [Read]\ndisallowedTools: Write Edit"), agent("name: a\ndescription: d\ntools: [Read]\ndisallowedTools:\n  - Write\n  - Edit")],
    ["star stays", agent("name: a\ndescription: d\ntools: '*'"), agent("name: a\ndescription: d\ntools: '*'")],
  ])("%s", (_label, before, expected) => {
    const { text } = fixAgentText(before);
    expect(text).toBe(expected);
    expect(fixable(text)).toEqual([]);
  });

  it("does not rename a key when the canonical key also exists", () => {
    const before = agent("name: a\nName: b\ndescription: d\ntools: [Read]");
    expect(fixAgentText(before).text).toBe(before);
  });

  it("keeps unknown fields, nested values and the body byte-for-byte", () => {
    const body = "\n# Heading\n\n---\n\nname: not frontmatter\n";
    const before = agent("Name: a\ndescription: x: y\ncategory: dev  # keep\nmeta:\n  owner: me\ntools: Read, Grep", body);
    const { text, changes } = fixAgentText(before);
    expect(changes).toHaveLength(3);
    expect(text).toContain("category: dev  # keep\nmeta:\n  owner: me\n");
    const parsed = parseAgent(text);
    expect(parsed.body).toBe(body);
    expect(parsed.frontmatter).toEqual({ name: "a", description: "x: y", category: "dev", meta: { owner: "me" }, tools: ["Read", "Grep"] });
  });

  it("preserves CRLF line endings", () => {
    const before = agent("Name: a\ndescription: x: y\ntools: Read, Grep").replace(/\n/g, "\r\n");
    const { text } = fixAgentText(before);
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(fixable(text)).toEqual([]);
  });
});

describe("fixAgentText on every fixture Claude Code loads", () => {
  // the ones it does not load are repaired (or left alone) by the table above
  const loaded = [...readdirSync(FIXTURES).map((f) => join(FIXTURES, f)), ...readdirSync(SAME_NAME).map((f) => join(SAME_NAME, f))]
    .filter((f) => !parseAgent(readFileSync(f, "utf8")).hasErrors);

  it.each(loaded.map((f) => [f.slice(ROOT.length + 1), f]))("%s: what Claude Code loaded is kept", (_label, file) => {
    const before = readFileSync(file, "utf8");
    const { text } = fixAgentText(before);
    const a = parseAgent(before);
    const b = parseAgent(text);
    expect(fixable(text)).toEqual([]);
    expect(b.hasErrors).toBe(false);
    expect(b.body).toBe(a.body);
    expect(b.name).toBe(a.name);
    expect(b.description).toBe(a.description);
    expect(b.tools).toEqual(a.tools);
  });
});
