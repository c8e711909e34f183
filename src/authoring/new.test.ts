import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Deps } from "../util/deps.js";
import { parseAgent } from "../agent/parse.js";
import { validateAgentText } from "../agent/validate.js";
import { packageRoot } from "../sources/bundled/builtin-source.js";
import { fillTemplate, renderAgent, runNew, toolsYaml, yamlInline } from "./new.js";

const TEMPLATE = fs.readFileSync(path.join(packageRoot(), "templates", "agent.md"), "utf8");

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-new-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function deps(o: { interactive?: boolean; ask?: (q: string) => Promise<string> } = {}): Deps {
  return {
    cwd: root,
    home: path.join(root, "home"),
    env: {},
    io: { out: () => {}, err: () => {}, isTTY: false, interactive: o.interactive ?? false, color: false },
    ...(o.ask ? { ask: o.ask } : {}),
    setExitCode: () => {},
  };
}

describe("fillTemplate", () => {
  it("fills every placeholder in one pass, never re-expanding values", () => {
    expect(fillTemplate("{{a}} {{b}} {{a}} {{c}}", { a: "{{b}}", b: "x" })).toBe("{{b}} x {{b}} {{c}}");
  });
});

describe("YAML rendering", () => {
  it.each([
    ["Read, Grep, Glob", "[Read, Grep, Glob]"],
    ["Read Grep", "[Read, Grep]"],
    ["Bash(git diff:*), mcp__gh__pr", '["Bash(git diff:*)", mcp__gh__pr]'],
    ["*", '"*"'],
    ["", "[]"],
  ])("tools %j -> %s", (input, out) => {
    expect(toolsYaml(input)).toBe(out);
  });

  it.each([
    ["inherit", "inherit"],
    ["claude-sonnet-4-5", "claude-sonnet-4-5"],
    ["claude-opus-4[1m]", '"claude-opus-4[1m]"'],
    ["a: b", '"a: b"'],
    ["true", '"true"'],
    ["123", '"123"'],
  ])("model %j -> %s", (input, out) => {
    expect(yamlInline(input)).toBe(out);
  });

  const descriptions = [
    "Reviews SQL migrations",
    'Use when: the user says "review" {or} [this] #tag & *star* | pipe > gt % @at !bang',
    "Back\\slash and a literal \\n escape",
    "Multi\nline\ttabbed",
    "Ünïcödé — “quotes” ✓",
    "{{model}} and {{name}} stay as typed",
    "- starts with a dash",
  ];
  it.each(descriptions)("description %j round-trips and validates with no problems", (description) => {
    const text = renderAgent(TEMPLATE, { name: "my-agent", description, tools: "Read, Grep, Glob", model: "inherit" });
    const parsed = parseAgent(text);
    expect(parsed.frontmatter.description).toBe(description);
    expect(parsed.frontmatter.tools).toEqual(["Read", "Grep", "Glob"]);
    const problems = validateAgentText(text, { file: "my-agent.md" }).filter((p) => p.code !== "description-escapes");
    expect(problems).toEqual([]);
  });
});

describe("runNew", () => {
  const file = () => path.join(root, ".claude", "agents", "sql-reviewer.md");

  it("writes .claude/agents/NAME.md with the defaults, and the file has no problems", async () => {
    const r = await runNew({ name: "sql-reviewer", description: "Reviews SQL migrations" }, deps());
    expect(r).toMatchObject({ name: "sql-reviewer", file: path.join(".claude", "agents", "sql-reviewer.md"), overwritten: false, warnings: [] });
    const text = fs.readFileSync(file(), "utf8");
    expect(text).toMatch(/^---\nname: sql-reviewer\ndescription: "Reviews SQL migrations"\ntools: \[Read, Grep, Glob\]\nmodel: inherit\n---\n/);
    expect(validateAgentText(text, { file: file() })).toEqual([]);
  });

  it("asks for the description on a terminal (injected ask)", async () => {
    const questions: string[] = [];
    const ask = async (q: string) => (questions.push(q), "  Asked for  ");
    await runNew({ name: "sql-reviewer" }, deps({ interactive: true, ask }));
    expect(questions).toHaveLength(1);
    expect(parseAgent(fs.readFileSync(file(), "utf8")).description).toBe("Asked for");
  });

  it("refuses without a description when it cannot ask, writing nothing", async () => {
    await expect(runNew({ name: "sql-reviewer" }, deps())).rejects.toMatchObject({ code: "E_USAGE" });
    expect(fs.existsSync(file())).toBe(false);
  });

  it("refuses to overwrite without --force, replaces with it", async () => {
    await runNew({ name: "sql-reviewer", description: "one" }, deps());
    await expect(runNew({ name: "sql-reviewer", description: "two" }, deps())).rejects.toMatchObject({ code: "E_EXISTS", exitCode: 3 });
    expect(parseAgent(fs.readFileSync(file(), "utf8")).description).toBe("one");
    const r = await runNew({ name: "sql-reviewer", description: "two", force: true }, deps());
    expect(r.overwritten).toBe(true);
    expect(parseAgent(fs.readFileSync(file(), "utf8")).description).toBe("two");
  });

  it("refuses a name another file in the folder already declares", async () => {
    const dir = path.join(root, "agents");
    fs.mkdirSync(path.join(dir, "nested"), { recursive: true });
    fs.writeFileSync(path.join(dir, "nested", "other.md"), "---\nname: sql-reviewer\ndescription: d\n---\nbody\n");
    await expect(runNew({ name: "sql-reviewer", description: "d", dir: "agents" }, deps())).rejects.toMatchObject({ code: "E_EXISTS" });
  });

  it.each(["Bad_Name", "-x", "UPPER", "a/b", "x.md"])("refuses the non-portable name %j", async (name) => {
    await expect(runNew({ name, description: "d" }, deps())).rejects.toMatchObject({ code: "E_USAGE" });
  });

  it("--dir, --tools and --model end up in the file; unknown tools come back as warnings", async () => {
    const r = await runNew({ name: "x", description: "d", dir: "out", tools: "Read, Frobnicate", model: "opus" }, deps());
    const parsed = parseAgent(fs.readFileSync(path.join(root, "out", "x.md"), "utf8"));
    expect(parsed.tools).toEqual(["Read", "Frobnicate"]);
    expect(parsed.frontmatter.model).toBe("opus");
    expect(r.warnings.map((w) => w.code)).toEqual(["tool-unknown"]);
  });
});
