import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAgent } from "./parse.js";
import { serializeAgent } from "./serialize.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = ["test/fixtures/agents", "test/fixtures/same-name"].map((d) => join(ROOT, d));

function roundTrip(frontmatter: Record<string, unknown>, body: string): void {
  const text = serializeAgent(frontmatter, body);
  const back = parseAgent(text);
  expect(back.frontmatter).toEqual(frontmatter);
  expect(Object.keys(back.frontmatter)).toEqual(Object.keys(frontmatter));
  expect(back.body).toBe(body);
  expect(back.problems.filter((p) => p.code.startsWith("yaml") || p.code.startsWith("frontmatter"))).toEqual([]);
}

describe("serializeAgent", () => {
  it.each([
    ["minimal", { name: "a", description: "d" }, "\nPrompt.\n"],
    ["key order and unknown keys", { description: "d", zeta: 1, name: "a", category: "dev", tools: ["Read", "Bash(git:*)"] }, "\nBody\n"],
    ["values needing quotes", { name: "a", description: "Use it: now # not a comment", model: "sonnet", x: "@at", y: "- dash", z: "'q'" }, "\n"],
    ["multi-line and escapes", { name: "a", description: "line1\nline2\n\n<example>x</example>", raw: "a\\nb" }, "\nText\n"],
    ["nested values", { name: "a", description: "d", hooks: { Stop: [{ hooks: [{ type: "command", command: "echo hi" }] }] }, mcpServers: ["github"] }, "\n"],
    ["scalars that look typed", { name: "a", description: "d", version: "1.0", flag: "true", n: "010", empty: "", maxTurns: 5, background: false, nothing: null }, "\n"],
    ["body without leading newline", { name: "a", description: "d" }, "Body right away\n---\nnot frontmatter\n"],
    ["empty body", { name: "a", description: "d" }, ""],
    ["unicode", { name: "a", description: "Résumé → agent ✓" }, "\nÜnïcödé\n"],
  ])("round-trips: %s", (_label, fm, body) => {
    roundTrip(fm as Record<string, unknown>, body);
  });

  it("writes a standard frontmatter block", () => {
    expect(serializeAgent({ name: "a", description: "d", tools: ["Read", "Grep"] }, "\nPrompt.\n")).toBe(
      "---\nname: a\ndescription: d\ntools:\n  - Read\n  - Grep\n---\n\nPrompt.\n",
    );
  });

  it("handles empty frontmatter and drops undefined values", () => {
    expect(serializeAgent({}, "x\n")).toBe("---\n---\nx\n");
    expect(serializeAgent({ name: "a", gone: undefined }, "")).toBe("---\nname: a\n---\n");
  });

  it("can write CRLF frontmatter", () => {
    const text = serializeAgent({ name: "a", description: "two\nlines" }, "\r\nBody\r\n", { eol: "\r\n" });
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(parseAgent(text).frontmatter).toEqual({ name: "a", description: "two\nlines" });
  });

  it("round-trips every fixture that parses, whatever dialect it was written in", () => {
    let count = 0;
    for (const dir of FIXTURES) {
      for (const f of readdirSync(dir)) {
        const parsed = parseAgent(readFileSync(join(dir, f), "utf8"));
        if (parsed.hasErrors) continue;
        roundTrip(parsed.frontmatter, parsed.body);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(9);
  });

  it("writes the retry-only, escaped and comma-string dialects as plain YAML that needs no retry", () => {
    for (const f of ["inline-examples.md", "retry-colon.md", "long-examples.md", "comma-tools.md"]) {
      const parsed = parseAgent(readFileSync(join(ROOT, "test/fixtures/agents", f), "utf8"));
      const again = parseAgent(serializeAgent(parsed.frontmatter, parsed.body));
      expect(again.problems.map((p) => p.code).filter((c) => c.startsWith("yaml")), f).toEqual([]);
      expect(again.description, f).toBe(parsed.description);
    }
  });
});
