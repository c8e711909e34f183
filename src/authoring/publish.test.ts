import { describe, expect, it } from "vitest";
import { chooseVersion, insertKey, summarize } from "./publish.js";

describe("chooseVersion", () => {
  it.each([
    [[], {}, "1.0.0"],
    [[], { bump: "patch" }, "0.0.1"],
    [[], { bump: "minor" }, "0.1.0"],
    [[], { bump: "major" }, "1.0.0"],
    [["1.0.0", "1.2.3", "1.10.0"], { bump: "patch" }, "1.10.1"],
    [["1.0.0", "2.0.0-beta.1"], { bump: "minor" }, "2.0.0"],
    [["1.0.0"], { version: "3.0.0-rc.1" }, "3.0.0-rc.1"],
  ] as const)("%j %j -> %s", (existing, o, expected) => {
    expect(chooseVersion([...existing], { ...o, name: "x" })).toBe(expected);
  });

  it.each([
    [["1.0.0"], {}, /already has versions up to 1.0.0/],
    [[], { version: "v1.0.0" }, /invalid version "v1.0.0"/],
    [[], { version: "1.0" }, /invalid version/],
    [[], { version: "1.0.0", bump: "patch" }, /either --version or --bump/],
  ] as const)("%j %j is a usage error", (existing, o, message) => {
    expect(() => chooseVersion([...existing], { ...o, name: "x" })).toThrow(message);
  });
});

describe("summarize", () => {
  it("keeps the part before examples, on one line", () => {
    expect(summarize("Reviews code.\nUse proactively. Examples: <example>user: x</example>")).toBe("Reviews code. Use proactively.");
    expect(summarize("Short <example>a</example>")).toBe("Short");
  });
  it("shortens long text at a word boundary", () => {
    const s = summarize("word ".repeat(100));
    expect(s.length).toBeLessThanOrEqual(200);
    expect(s.endsWith("word…")).toBe(true);
  });
});

describe("insertKey", () => {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  it("inserts in sorted position when the keys are sorted", () => {
    expect(Object.keys(insertKey({ a: 1, c: 3 }, "b", 2, cmp))).toEqual(["a", "b", "c"]);
    expect(Object.keys(insertKey({ a: 1, c: 3 }, "d", 4, cmp))).toEqual(["a", "c", "d"]);
  });
  it("appends when the existing order is not sorted (it is kept as is)", () => {
    expect(Object.keys(insertKey({ c: 3, a: 1 }, "b", 2, cmp))).toEqual(["c", "a", "b"]);
  });
});
