import { describe, expect, it } from "vitest";
import { computePlan } from "./compute-plan.js";
import { touchesLocalEdit, writesFile } from "./plan.js";
import type { LockEntry, Lockfile } from "../project/lockfile.js";

const entry = (name: string, version: string, sha: string, o: Partial<LockEntry> = {}): LockEntry => ({
  version,
  registry: "r",
  url: "file:///r",
  commit: "c".repeat(40),
  path: `agents/${name}/${version}.md`,
  sha256: sha.repeat(64),
  file: `.claude/agents/${name}.md`,
  ...o,
});
const lock = (agents: Record<string, LockEntry>): Lockfile => ({ lockfileVersion: 1, agents, plugins: {} });
/** What a step says of its files: the lock entry, plus the package key, the kind and the part name. */
const locked = (name: string, e: LockEntry) => ({ ...e, name, kind: "agent", part: name });

describe("computePlan", () => {
  const a1 = entry("a", "1.0.0", "1");
  const a2 = entry("a", "2.0.0", "2");
  const b1 = entry("b", "1.0.0", "3");

  it("adds, updates and removes, one step per file, sorted by package", () => {
    const disk = new Map([
      [a1.file, a1.sha256],
      [b1.file, b1.sha256],
    ]);
    const steps = computePlan(lock({ a: a2, c: entry("c", "1.0.0", "4") }), lock({ a: a1, b: b1 }), disk);
    expect(steps.map((s) => [s.op, s.name, s.file, s.kind, s.local])).toEqual([
      ["update", "a", a1.file, "agent", "clean"],
      ["remove", "b", b1.file, "agent", "clean"],
      ["add", "c", ".claude/agents/c.md", "agent", "absent"],
    ]);
    expect(steps[0]).toMatchObject({ from: locked("a", a1), to: locked("a", a2) });
  });

  it("is empty when desired equals the lock and every file matches", () => {
    expect(computePlan(lock({ a: a1 }), lock({ a: a1 }), new Map([[a1.file, a1.sha256]]))).toEqual([]);
  });

  it("restores a locked file that went missing", () => {
    expect(computePlan(lock({ a: a1 }), lock({ a: a1 }), new Map())).toEqual([{ op: "add", name: "a", file: a1.file, kind: "agent", to: locked("a", a1), local: "missing" }]);
  });

  it("leaves a modified file alone when nothing changes, flags it when something would", () => {
    const disk = new Map([[a1.file, "f".repeat(64)]]);
    expect(computePlan(lock({ a: a1 }), lock({ a: a1 }), disk)).toEqual([]);
    expect(computePlan(lock({ a: a2 }), lock({ a: a1 }), disk)[0]).toMatchObject({ op: "update", local: "modified" });
    expect(computePlan(lock({}), lock({ a: a1 }), disk)[0]).toMatchObject({ op: "remove", local: "modified" });
  });

  it("treats a file agentpkg never wrote as untracked, or adopts it when identical", () => {
    expect(computePlan(lock({ a: a1 }), lock({}), new Map([[a1.file, "f".repeat(64)]]))[0]).toMatchObject({ op: "add", local: "untracked" });
    const same = computePlan(lock({ a: a1 }), lock({}), new Map([[a1.file, a1.sha256]]))[0]!;
    expect(same).toMatchObject({ op: "add", local: "clean" });
    expect(writesFile(same)).toBe(false);
  });

  it("kept and conflicted steps write nothing", () => {
    const step = computePlan(lock({ a: a2 }), lock({ a: a1 }), new Map([[a1.file, "f".repeat(64)]]))[0]!;
    expect(writesFile(step)).toBe(true);
    expect(writesFile({ ...step, resolution: "keep" })).toBe(false);
    expect(writesFile({ ...step, resolution: "conflict" })).toBe(false);
  });

  it("refuses two packages that would write one file", () => {
    const clash = lock({ "p:x": entry("p--x", "1.0.0", "1"), "p--x": entry("p--x", "1.0.0", "2") });
    expect(() => computePlan(clash, lock({}), new Map())).toThrow(/p--x and p:x would both be .claude\/agents\/p--x.md|p:x and p--x would both be/);
  });
});

// sync plans with computePlan(lock filtered to the manifest, lock, disk, { restoreModified: true })
describe("computePlan with restoreModified (sync)", () => {
  const a = entry("a", "1.0.0", "1");

  it("restores an edited file as a same-version update that counts as a local edit", () => {
    const disk = new Map([[a.file, "2".repeat(64)]]);
    expect(computePlan(lock({ a }), lock({ a }), disk)).toEqual([]);
    const [step] = computePlan(lock({ a }), lock({ a }), disk, { restoreModified: true });
    expect(step).toEqual({ op: "update", name: "a", file: a.file, kind: "agent", from: locked("a", a), to: locked("a", a), local: "modified" });
    expect(touchesLocalEdit(step!)).toBe(true);
    expect(writesFile(step!)).toBe(true);
  });

  it("leaves clean files and clean merges (localSha256) alone, and restores missing files", () => {
    const merged = entry("m", "1.0.0", "1", { localSha256: "9".repeat(64) });
    const b = entry("b", "1.0.0", "1");
    const disk = new Map<string, string | null>([[a.file, a.sha256], [merged.file, "9".repeat(64)], [b.file, null]]);
    expect(computePlan(lock({ a, m: merged, b }), lock({ a, m: merged, b }), disk, { restoreModified: true })).toEqual([
      { op: "add", name: "b", file: b.file, kind: "agent", to: locked("b", b), local: "missing" },
    ]);
  });

  it("removes lock entries dropped from the desired lock", () => {
    const disk = new Map([[a.file, a.sha256]]);
    expect(computePlan(lock({}), lock({ a }), disk, { restoreModified: true })).toEqual([{ op: "remove", name: "a", file: a.file, kind: "agent", from: locked("a", a), local: "clean" }]);
  });
});
