import { terminalSafe } from "./terminal-text.js";
import { describe, expect, it } from "vitest";
import { colorizeDiff, diffStat, unifiedDiff } from "./text-diff.js";

const labels = { oldLabel: "a/agent.md", newLabel: "b/agent.md" };

describe("unifiedDiff", () => {
  it("returns '' for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", labels)).toBe("");
  });

  it("produces a standard unified diff", () => {
    expect(unifiedDiff("a\nb\nc\n", "a\nB\nc\nd\n", labels)).toBe(
      ["--- a/agent.md", "+++ b/agent.md", "@@ -1,3 +1,4 @@", " a", "-b", "+B", " c", "+d", ""].join("\n"),
    );
  });

  it("honours context and splits far-apart hunks", () => {
    const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n") + "\n";
    const next = old.replace("l1\n", "L1\n").replace("l18\n", "L18\n");
    const d = unifiedDiff(old, next, { ...labels, context: 1 });
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain("@@ -1,3 +1,3 @@\n l0\n-l1\n+L1\n l2\n");
    expect(d).toContain("@@ -18,3 +18,3 @@\n l17\n-l18\n+L18\n l19\n");
  });

  it("handles added files and missing final newlines", () => {
    expect(unifiedDiff("", "x\n", labels)).toBe("--- a/agent.md\n+++ b/agent.md\n@@ -0,0 +1 @@\n+x\n");
    expect(unifiedDiff("x\n", "x", labels)).toContain("\\ No newline at end of file");
  });
});

describe("diffStat", () => {
  it.each([
    ["equal", "a\nb\n", "a\nb\n", 0, 0],
    ["one changed line", "a\nb\nc\n", "a\nB\nc\n", 1, 1],
    ["additions only", "a\n", "a\nb\nc\n", 2, 0],
    ["removals only", "a\nb\nc\n", "c\n", 0, 2],
    ["from empty", "", "a\nb", 2, 0],
  ])("%s", (_name, a, b, added, removed) => {
    expect(diffStat(a, b)).toEqual({ added, removed });
  });
});

describe("colorizeDiff", () => {
  it("colours removals red, additions green, hunks cyan", () => {
    const d = unifiedDiff("a\n-- x\n", "a\n++ y\n", labels);
    const c = terminalSafe(colorizeDiff(d)).split("\n"); // the colours are markers until printed
    expect(c[0]).toBe("\u001b[1m--- a/agent.md\u001b[0m");
    expect(c[2]).toBe("\u001b[36m@@ -1,2 +1,2 @@\u001b[0m");
    expect(c[3]).toBe(" a");
    // A removed line that itself starts with "--" is still a removal, not a header.
    expect(c[4]).toBe("\u001b[31m--- x\u001b[0m");
    expect(c[5]).toBe("\u001b[32m+++ y\u001b[0m");
  });

  it("leaves an empty diff empty", () => {
    expect(colorizeDiff("")).toBe("");
  });
});
