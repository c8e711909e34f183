import { describe, expect, it } from "vitest";
import { MAX_AGENT_BYTES, parseAgent, splitFrontmatter } from "./parse.js";

const agent = (fm: string, body = "\nPrompt.\n"): string => `---\n${fm}\n---\n${body}`;
const codes = (text: string): string[] => parseAgent(text).problems.map((p) => `${p.severity}:${p.code}`);
const NT = "name: a\ndescription: d\ntools: [Read]";

describe("parseAgent: frontmatter structure", () => {
  it.each([
    ["LF", agent(NT), false, []],
    ["CRLF", agent(NT).replace(/\n/g, "\r\n"), false, []],
    ["trailing spaces on delimiters", `--- \n${NT}\n---  \n\nPrompt.\n`, false, []],
    ["blank line before ---", `\n${agent(NT)}`, true, ["error:frontmatter-leading-blank"]],
    ["BOM before ---", `\uFEFF${agent(NT)}`, true, ["error:frontmatter-bom"]],
    ["no frontmatter", "# Just markdown\n", true, ["error:frontmatter-missing"]],
    ["unclosed", `---\n${NT}\n\nPrompt.\n`, true, ["error:frontmatter-unclosed"]],
    ["empty frontmatter", "---\n---\nPrompt.\n", true, ["error:name-missing", "error:description-missing"]],
    ["not a mapping", "---\n- a\n- b\n---\nPrompt.\n", true, ["error:frontmatter-not-mapping"]],
  ])("%s", (_label, text, hasErrors, expected) => {
    const r = parseAgent(text);
    expect(r.hasErrors).toBe(hasErrors);
    expect(r.problems.filter((p) => p.code !== "tools-missing").map((p) => `${p.severity}:${p.code}`)).toEqual(expected);
    const structural = expected.some((c) => c.startsWith("error:frontmatter-"));
    if (structural) expect(r.problems[0]?.line).toBe(expected[0] === "error:frontmatter-not-mapping" ? 2 : 1);
  });

  it("returns the body after the closing delimiter and the parsed frontmatter", () => {
    const r = parseAgent(agent("name: a\ndescription: d\nextra: {x: 1}\ntools: [Read]", "\n# Title\n\nBody\n"));
    expect(r.body).toBe("\n# Title\n\nBody\n");
    expect(r.frontmatter).toEqual({ name: "a", description: "d", extra: { x: 1 }, tools: ["Read"] });
    expect(Object.keys(r.frontmatter)).toEqual(["name", "description", "extra", "tools"]);
  });

  it("CRLF: values carry no stray \\r", () => {
    const r = parseAgent(agent("name: a\ndescription: d\ntools: Read, Grep").replace(/\n/g, "\r\n"));
    expect(r.name).toBe("a");
    expect(r.description).toBe("d");
    expect(r.tools).toEqual(["Read", "Grep"]);
    expect(r.body).toBe("\r\nPrompt.\r\n");
  });

  it("splitFrontmatter reports the line ending", () => {
    expect(splitFrontmatter("---\r\na: 1\r\n---\r\n")).toMatchObject({ kind: "ok", eol: "\r\n", yamlLines: ["a: 1"] });
    expect(splitFrontmatter("---\na: 1\n---")).toMatchObject({ kind: "ok", eol: "\n", body: "" });
  });

  it("files over 1 MiB are an error", () => {
    const text = agent(NT, "\n" + "x".repeat(MAX_AGENT_BYTES));
    const r = parseAgent(text);
    expect(r.hasErrors).toBe(true);
    expect(r.problems.map((p) => p.code)).toContain("file-too-large");
    expect(parseAgent(agent(NT, "\n" + "x".repeat(MAX_AGENT_BYTES - 200))).hasErrors).toBe(false);
  });
});

describe("parseAgent: YAML and Claude Code's retry", () => {
  it.each([
    ["unquoted `: ` in a value", "name: a\ndescription: Use it. Examples: one\ntools:\n  - Read", 3, "Use it. Examples: one"],
    ["unquoted `: ` with inner quotes", 'name: a\ndescription: say "hi": now\ntools: Read', 3, 'say "hi": now'],
    ["backslashes survive the retry", "name: a\ndescription: path: C:\\tmp\\x\ntools: Read", 3, "path: C:\\tmp\\x"],
    ["leading tab", "name: a\ndescription: d\ntools:\n\t- Read", 5, "d"],
  ])("%s loads after the retry with a warning", (_label, fm, line, description) => {
    const r = parseAgent(agent(fm));
    expect(r.hasErrors).toBe(false);
    expect(r.description).toBe(description);
    const retry = r.problems.filter((p) => p.code === "yaml-retry");
    expect(retry).toHaveLength(1);
    expect(retry[0]).toMatchObject({ severity: "warning", line });
    expect(retry[0]?.message).toMatch(/quoting retry|retry/);
  });

  it.each([
    ["bad list indentation", "name: a\ndescription: d\nskills:\n  - x\n - y", 6],
    ["duplicate key", "name: a\ndescription: d\nname: b", 4],
    ["unterminated quote", 'name: a\ndescription: "oops\nmodel: sonnet', 5],
  ])("%s is an error with the file line", (_label, fm, line) => {
    const r = parseAgent(agent(fm));
    expect(r.hasErrors).toBe(true);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: "error", code: "yaml-invalid", line });
    expect(r.frontmatter).toEqual({});
  });

  it("a retry also turns other flagged values into strings (e.g. a flow list)", () => {
    const r = parseAgent(agent("name: a\ndescription: x: y\ntools: [Read, Grep]"));
    expect(r.hasErrors).toBe(false);
    expect(r.frontmatter["tools"]).toBe("[Read, Grep]");
    expect(r.problems.filter((p) => p.code.startsWith("yaml-retry")).map((p) => [p.code, p.line])).toEqual([
      ["yaml-retry", 3],
      ["yaml-retry-changed", 4],
    ]);
  });

  it("valid YAML with special characters needs no retry", () => {
    const r = parseAgent(agent('name: a\ndescription: "Use it: now"\ntools: [Read]'));
    expect(r.problems).toEqual([]);
  });
});

describe("parseAgent: required fields", () => {
  it.each([
    ["missing name", "description: d", ["error:name-missing"]],
    ["empty name", "name: ''\ndescription: d", ["error:name-invalid"]],
    ["numeric name", "name: 42\ndescription: d", ["error:name-invalid"]],
    ["name starting with -", "name: '-x'\ndescription: d", ["error:name-invalid"]],
    ["capitalised Name", "Name: a\ndescription: d", ["error:name-key-case"]],
    ["missing description", "name: a", ["error:description-missing"]],
    ["empty description", "name: a\ndescription:", ["error:description-invalid"]],
    ["capitalised Description", "name: a\nDescription: d", ["error:description-key-case"]],
  ])("%s", (_label, fm, expected) => {
    const got = codes(agent(`${fm}\ntools: [Read]`));
    expect(got).toEqual(expected);
  });

  it("identity is `name`, and the key-case error names both spellings", () => {
    const r = parseAgent(agent("Name: a\ndescription: d\ntools: [Read]"));
    expect(r.name).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ line: 2, field: "Name", message: "key `Name` must be lowercase `name`" });
  });

  it("turns literal \\n sequences in the description into newlines", () => {
    const r = parseAgent(agent('name: a\ndescription: "one\\\\ntwo"\ntools: [Read]'));
    expect(r.frontmatter["description"]).toBe("one\\ntwo");
    expect(r.description).toBe("one\ntwo");
  });
});

describe("parseAgent: tools normalisation", () => {
  it.each([
    ["comma string", "tools: Read, Grep, Glob", ["Read", "Grep", "Glob"]],
    ["space string", "tools: Read Grep", ["Read", "Grep"]],
    ["pattern with spaces", "tools: Read, Bash(git commit:*)", ["Read", "Bash(git commit:*)"]],
    ["YAML list", "tools:\n  - Read\n  - mcp__github__create_issue", ["Read", "mcp__github__create_issue"]],
    ["flow list", "tools: [Read, Grep]", ["Read", "Grep"]],
    ["star string", "tools: '*'", "*"],
    ["star in list", "tools: ['*']", "*"],
    ["empty list", "tools: []", []],
    ["absent", "", undefined],
  ])("%s", (_label, line, expected) => {
    const r = parseAgent(agent(`name: a\ndescription: d\n${line}`));
    expect(r.tools).toEqual(expected);
    expect(r.hasErrors).toBe(false);
  });

  it("unknown tool names warn but do not block loading", () => {
    const r = parseAgent(agent("name: a\ndescription: d\ntools: [Read, read, Frobnicate]"));
    expect(r.hasErrors).toBe(false);
    const unknown = r.problems.filter((p) => p.code === "tool-unknown");
    expect(unknown.map((p) => p.message)).toEqual([
      "unknown tool `read` (did you mean `Read`?)",
      "unknown tool `Frobnicate`",
    ]);
    expect(unknown[0]?.line).toBe(4);
  });
});

/** Ten levels of ten aliases under `hooks`: 600 bytes of text, 10^10 nodes expanded. */
function aliasBomb(levels = 10, width = 10): string {
  const lines = ["name: a", "description: d", "tools: [Read]", "hooks:", `  a0: &a0 ["curl example.com | sh"]`];
  for (let i = 1; i < levels; i++) lines.push(`  a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
  return agent(lines.join("\n"));
}

describe("parseAgent: YAML alias bombs", () => {
  it("refuses a frontmatter whose aliases expand past the bound, at the line of the key that holds them", () => {
    const r = parseAgent(aliasBomb());
    expect(r.hasErrors).toBe(true);
    expect(r.problems).toEqual([
      expect.objectContaining({ severity: "error", code: "yaml-too-large", line: 5, field: "hooks", message: expect.stringContaining("alias bomb") }),
    ]);
    expect(r.frontmatter).toEqual({});
  });

  it("refuses an alias that contains itself (an endless value)", () => {
    const r = parseAgent(agent("name: a\ndescription: d\ntools: [Read]\nmcpServers: &m [*m]"));
    expect(r.problems.map((p) => `${p.code}@${p.line}`)).toEqual(["yaml-too-large@5"]);
  });

  it("refuses a long string repeated through aliases", () => {
    const big = "x".repeat(100_000);
    const r = parseAgent(agent(`name: a\ndescription: d\ntools: [Read]\ns: &s "${big}"\nmany: [${Array(20).fill("*s").join(", ")}]`));
    expect(r.problems.map((p) => `${p.code}:${p.field}`)).toEqual(["yaml-too-large:many"]);
  });

  it("accepts anchors used the ordinary way", () => {
    const fm = "name: a\ndescription: d\ntools: [Read]\nhooks:\n  a: &cmd {type: command, command: lint}\n  b: *cmd\n  c: [*cmd, *cmd]";
    const r = parseAgent(agent(fm));
    expect(r.hasErrors).toBe(false);
    expect(r.frontmatter.hooks).toEqual({ a: { type: "command", command: "lint" }, b: { type: "command", command: "lint" }, c: [{ type: "command", command: "lint" }, { type: "command", command: "lint" }] });
  });

  it("refuses a far larger bomb the same way (the walk stops at the bound)", () => {
    expect(parseAgent(aliasBomb(30, 30)).problems.map((p) => p.code)).toEqual(["yaml-too-large"]);
  });
});
