import { describe, expect, it } from "vitest";
import { computePlan, touchesLocalEdit, writesFile } from "../plan/compute-plan.js";
import type { LockEntry } from "../project/lockfile.js";

const entry = (name: string, o: Partial<LockEntry> = {}): LockEntry => ({
  version: "1.0.0",
  registry: "team",
  url: "file:///r",
  commit: "c".repeat(40),
  path: `agents/${name}/1.0.0.md`,
  sha256: "1".repeat(64),
  file: `.claude/agents/${name}.md`,
  ...o,
});

// sync plans with computePlan(lock filtered to the manifest, lock, disk, { restoreModified: true })
describe("computePlan with restoreModified (sync)", () => {
  const a = entry("a");

  it("restores an edited file as a same-version update that counts as a local edit", () => {
    const disk = new Map([[a.file, "2".repeat(64)]]);
    expect(computePlan({ a }, { a }, disk)).toEqual([]);
    const [step] = computePlan({ a }, { a }, disk, { restoreModified: true });
    expect(step).toEqual({ op: "update", name: "a", from: a, to: a, local: "modified" });
    expect(touchesLocalEdit(step!)).toBe(true);
    expect(writesFile(step!)).toBe(true);
  });

  it("leaves clean files and clean merges (localSha256) alone, and restores missing files", () => {
    const merged = entry("m", { localSha256: "9".repeat(64) });
    const b = entry("b");
    const disk = new Map<string, string | null>([[a.file, a.sha256], [merged.file, "9".repeat(64)], [b.file, null]]);
    expect(computePlan({ a, m: merged, b }, { a, m: merged, b }, disk, { restoreModified: true })).toEqual([
      { op: "add", name: "b", to: b, local: "missing" },
    ]);
  });

  it("removes lock entries dropped from the desired lock", () => {
    const disk = new Map([[a.file, a.sha256]]);
    expect(computePlan({}, { a }, disk, { restoreModified: true })).toEqual([{ op: "remove", name: "a", from: a, local: "clean" }]);
  });
});
