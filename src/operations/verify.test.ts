import { describe, expect, it } from "vitest";
import { checkProject } from "./verify.js";
import type { LockEntry, Lockfile } from "../project/lockfile.js";
import type { Manifest } from "../project/manifest.js";

const sha = (c: string) => c.repeat(64);
const entry = (name: string, version: string, o: Partial<LockEntry> = {}): LockEntry => ({
  version,
  registry: "team",
  url: "file:///r",
  commit: "c".repeat(40),
  path: `agents/${name}/${version}.md`,
  sha256: sha("1"),
  file: `.claude/agents/${name}.md`,
  ...o,
});
const lockOf = (agents: Record<string, LockEntry>): Lockfile => ({ lockfileVersion: 1, agents, plugins: {} });
const manifestOf = (agents: Manifest["agents"]): Manifest => ({ registries: { team: "file:///r" }, agents, plugins: {} });

describe("checkProject", () => {
  const a = entry("a", "1.2.0");
  const clean = new Map([[a.file, a.sha256]]);

  it("finds nothing when manifest, lock and disk agree", () => {
    expect(checkProject({ manifest: manifestOf({ a: { range: "^1.0.0" } }), lock: lockOf({ a }), disk: clean })).toEqual([]);
  });

  it("accepts a file matching localSha256 (a clean merge) and a tag range", () => {
    const merged = entry("a", "1.2.0", { localSha256: sha("9") });
    const disk = new Map([[merged.file, sha("9")]]);
    expect(checkProject({ manifest: manifestOf({ a: { range: "latest" } }), lock: lockOf({ a: merged }), disk })).toEqual([]);
  });

  it("reports modified and missing files with the file and a fix", () => {
    const b = entry("b", "1.0.0");
    const disk = new Map<string, string | null>([[a.file, sha("2")], [b.file, null]]);
    const problems = checkProject({ manifest: manifestOf({ a: { range: "^1" }, b: { range: "^1" } }), lock: lockOf({ a, b }), disk });
    expect(problems.map((p) => [p.kind, p.name, p.file])).toEqual([
      ["modified", "a", a.file],
      ["missing", "b", b.file],
    ]);
    expect(problems[0]!.fix).toContain("agentpkg sync --force");
    expect(problems[1]!.fix).toBe("agentpkg sync");
  });

  it("reports manifest entries without a lock entry and lock entries not in the manifest", () => {
    const problems = checkProject({ manifest: manifestOf({ z: { range: "^1" } }), lock: lockOf({ a }), disk: clean });
    expect(problems.map((p) => [p.kind, p.name])).toEqual([
      ["not-in-manifest", "a"],
      ["not-locked", "z"],
    ]);
    expect(problems[1]!.fix).toContain("agentpkg install");
  });

  it("reports a locked version outside the range and a registry other than the pinned one", () => {
    const problems = checkProject({ manifest: manifestOf({ a: { range: "^2.0.0", registry: "other" } }), lock: lockOf({ a }), disk: clean });
    expect(problems.map((p) => p.kind)).toEqual(["range", "registry"]);
    expect(problems[0]!.message).toBe('a: locked version 1.2.0 does not satisfy "^2.0.0"');
    expect(problems[1]!.message).toContain('manifest pins "other"');
  });

  it("does not check the files of lock entries the manifest dropped (one problem per dropped agent)", () => {
    const problems = checkProject({ manifest: manifestOf({}), lock: lockOf({ a }), disk: new Map() });
    expect(problems.map((p) => p.kind)).toEqual(["not-in-manifest"]);
  });
});
