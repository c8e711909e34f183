// gray-matter is the common reader of Markdown frontmatter; agentpkg parses with its own reader instead
// (agent/parse.ts), because Claude Code's rules differ (a BOM or a blank first line means no frontmatter,
// one quoting retry for broken YAML, no cache keyed by content). On files both read the same way, they
// must agree: gray-matter is kept as this independent oracle (a devDependency only).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import matter from "gray-matter";
import { describe, expect, it } from "vitest";
import { parseAgent } from "./parse.js";
import { serializeAgent } from "./serialize.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function markdownUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md")).map((f) => path.join(dir, f));
}

/** Files with plain, valid frontmatter: the bundled registry's agents, the template, and the clean fixtures. */
const files = [...markdownUnder(path.join(ROOT, "agents")), path.join(ROOT, "templates", "agent.md"), ...markdownUnder(path.join(ROOT, "test", "fixtures", "agents"))].filter((f) => {
  const p = parseAgent(fs.readFileSync(f, "utf8"));
  return !p.problems.some((x) => x.code.startsWith("frontmatter-") || x.code.startsWith("yaml-"));
});

describe("agent/parse agrees with gray-matter on plain frontmatter", () => {
  it("has files to compare", () => expect(files.length).toBeGreaterThan(8));

  it.each(files.map((f) => [path.relative(ROOT, f), f] as const))("%s", (_rel, file) => {
    const text = fs.readFileSync(file, "utf8");
    const ours = parseAgent(text);
    const theirs = matter(text, {}); // an options object bypasses gray-matter's cache
    expect(ours.frontmatter).toEqual(theirs.data);
    expect(ours.body.replace(/^\r?\n/, "")).toBe(theirs.content.replace(/^\r?\n/, ""));
  });

  it("reads what serializeAgent writes the way gray-matter does", () => {
    const text = serializeAgent({ name: "x", description: "a: colon, and # hash", tools: ["Read", "Grep"] }, "Body.\n");
    expect(matter(text, {}).data).toEqual(parseAgent(text).frontmatter);
  });
});
