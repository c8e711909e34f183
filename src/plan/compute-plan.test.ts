import { describe, expect, it } from "vitest";
import { computePlan, writesFile } from "./compute-plan.js";
import type { LockEntry } from "../project/lockfile.js";

const entry = (name: string, version: string, sha: string): LockEntry => ({
  version,
  registry: "r",
  url: "file:///r",
  commit: "c".repeat(40),
  path: `agents/${name}/${version}.md`,
  sha256: sha.repeat(64),
  file: `.claude/agents/${name}.md`,
});

describe("computePlan", () => {
  const a1 = entry("a", "1.0.0", "1");
  const a2 = entry("a", "2.0.0", "2");
  const b1 = entry("b", "1.0.0", "3");

  it("adds, updates and removes, sorted by name", () => {
    const disk = new Map([
      [a1.file, a1.sha256],
      [b1.file, b1.sha256],
    ]);
    const steps = computePlan({ a: a2, c: entry("c", "1.0.0", "4") }, { a: a1, b: b1 }, disk);
    expect(steps.map((s) => [s.op, s.name, s.local])).toEqual([
      ["update", "a", "clean"],
      ["remove", "b", "clean"],
      ["add", "c", "absent"],
    ]);
  });

  it("is empty when desired equals the lock and every file matches", () => {
    expect(computePlan({ a: a1 }, { a: a1 }, new Map([[a1.file, a1.sha256]]))).toEqual([]);
  });

  it("restores a locked file that went missing", () => {
    expect(computePlan({ a: a1 }, { a: a1 }, new Map())).toEqual([{ op: "add", name: "a", to: a1, local: "missing" }]);
  });

  it("leaves a modified file alone when nothing changes, flags it when something would", () => {
    const disk = new Map([[a1.file, "f".repeat(64)]]);
    expect(computePlan({ a: a1 }, { a: a1 }, disk)).toEqual([]);
    expect(computePlan({ a: a2 }, { a: a1 }, disk)[0]).toMatchObject({ op: "update", local: "modified" });
    expect(computePlan({}, { a: a1 }, disk)[0]).toMatchObject({ op: "remove", local: "modified" });
  });

  it("treats a file agentpkg never wrote as untracked, or adopts it when identical", () => {
    expect(computePlan({ a: a1 }, {}, new Map([[a1.file, "f".repeat(64)]]))[0]).toMatchObject({ op: "add", local: "untracked" });
    const same = computePlan({ a: a1 }, {}, new Map([[a1.file, a1.sha256]]))[0]!;
    expect(same).toMatchObject({ op: "add", local: "clean" });
    expect(writesFile(same)).toBe(false);
  });

  it("kept steps write nothing", () => {
    const step = computePlan({ a: a2 }, { a: a1 }, new Map([[a1.file, "f".repeat(64)]]))[0]!;
    expect(writesFile(step)).toBe(true);
    expect(writesFile({ ...step, resolution: "keep" })).toBe(false);
  });
});
