import { describe, expect, it } from "vitest";
import { rangeToSave, resolveVersion, latestVersion } from "./resolve.js";
import { parseSpec } from "./spec.js";
import type { AgentEntry } from "./source.js";

const sha = "a".repeat(64);
function agent(versions: string[], o: { yanked?: string[]; tags?: Record<string, string> } = {}): AgentEntry {
  return {
    name: "x",
    versions: Object.fromEntries(versions.map((v) => [v, { version: v, path: `agents/x/${v}.md`, sha256: sha, yanked: o.yanked?.includes(v) ? "bad" : null }])),
    tags: o.tags ?? {},
  };
}

describe("resolveVersion", () => {
  const a = agent(["1.0.0", "1.1.0", "1.2.0-beta.1", "2.0.0"], { yanked: ["2.0.0"], tags: { next: "1.2.0-beta.1" } });
  it.each([
    ["^1", "1.1.0"],
    ["1.0.0", "1.0.0"],
    ["~1.0", "1.0.0"],
    ["*", "1.1.0"],
    ["latest", "1.1.0"],
    ["next", "1.2.0-beta.1"],
    ["^1.2.0-beta.0", "1.2.0-beta.1"],
  ])("%s -> %s", (range, want) => {
    expect(resolveVersion(a, range, "r").version).toBe(want);
  });

  it("never resolves a yanked version, and lists what is available", () => {
    expect(() => resolveVersion(a, "2.0.0", "r")).toThrow(/no version of x in r matches "2.0.0"/);
    try {
      resolveVersion(a, "^3", "r");
    } catch (e) {
      expect((e as { hint: string }).hint).toContain("available: 1.0.0, 1.1.0");
      expect((e as { hint: string }).hint).toContain("yanked: 2.0.0");
    }
  });

  it("a word that is neither a range nor a tag (@banana) and a bad range are usage errors (exit 2)", () => {
    for (const word of ["beta", "banana"]) {
      expect(() => resolveVersion(a, word, "r")).toThrow(new RegExp(`"${word}" is not a version range, and x in r has no tag "${word}"`));
      expect(() => resolveVersion(a, word, "r")).toThrow(expect.objectContaining({ code: "E_NO_MATCH", exitCode: 2 }));
    }
    expect(() => resolveVersion(a, ">>1", "r")).toThrow(expect.objectContaining({ code: "E_USAGE", exitCode: 2 }));
  });

  it("a tag the agent has, pointing at a yanked version, matches nothing (exit 5)", () => {
    const tagged = agent(["1.0.0", "2.0.0"], { yanked: ["2.0.0"], tags: { next: "2.0.0" } });
    expect(() => resolveVersion(tagged, "next", "r")).toThrow(expect.objectContaining({ code: "E_NO_MATCH", exitCode: 5 }));
  });

  it("latest honours the latest tag unless yanked", () => {
    expect(latestVersion(agent(["1.0.0", "2.0.0"], { tags: { latest: "1.0.0" } }))).toBe("1.0.0");
    expect(latestVersion(agent(["1.0.0", "2.0.0"], { tags: { latest: "2.0.0" }, yanked: ["2.0.0"] }))).toBe("1.0.0");
  });
});

describe("rangeToSave", () => {
  it.each([
    [undefined, "1.2.3", false, "^1.2.3"],
    ["1.0.0", "1.0.0", false, "^1.0.0"],
    ["~1.2", "1.2.3", false, "~1.2"],
    ["latest", "2.0.0", false, "^2.0.0"],
    ["^1", "1.2.3", true, "1.2.3"],
  ])("%s resolved to %s (exact %s) saves %s", (requested, resolved, exact, want) => {
    expect(rangeToSave(requested, resolved, exact)).toBe(want);
  });
});

describe("parseSpec", () => {
  it.each([
    ["ml-engineer", { name: "ml-engineer" }],
    ["ml-engineer@^1.2", { name: "ml-engineer", range: "^1.2" }],
    ["team/reviewer@latest", { name: "reviewer", registry: "team", range: "latest" }],
  ])("%s", (raw, want) => {
    expect(parseSpec(raw)).toMatchObject(want);
  });

  it.each(["../etc", "a/b/c", "x@", "x@>>1", "/abs", "a\\b", "x\0y", "", "Team/x", ".hidden", "a..b"])("refuses %j", (raw) => {
    expect(() => parseSpec(raw)).toThrow(/invalid agent spec/);
  });
});
