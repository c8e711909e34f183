import { describe, expect, it } from "vitest";
import { isOutdated, outdatedRow } from "./outdated.js";
import type { AgentEntry } from "../../sources/source.js";
import type { LockEntry } from "../../project/lockfile.js";

const agent = (versions: string[], o: Partial<AgentEntry> = {}): AgentEntry => ({
  name: "x",
  versions: Object.fromEntries(versions.map((v) => [v, { version: v, path: `agents/x/${v}.md`, sha256: "1".repeat(64) }])),
  tags: {},
  ...o,
});
const locked = (version: string) => ({ version }) as LockEntry;

describe("outdatedRow / isOutdated", () => {
  it("wanted is the newest in range, latest the newest overall", () => {
    const row = outdatedRow("x", { range: "^1.0.0" }, locked("1.0.0"), "team", agent(["1.0.0", "1.1.0", "2.0.0"]));
    expect(row).toEqual({ name: "x", type: "agent", current: "1.0.0", wanted: "1.1.0", latest: "2.0.0", range: "^1.0.0", registry: "team" });
    expect(isOutdated(row)).toBe(true);
  });

  it("is outdated when only a new major exists, not when current is the newest", () => {
    expect(isOutdated(outdatedRow("x", { range: "^1.1.0" }, locked("1.1.0"), "t", agent(["1.1.0", "2.0.0"])))).toBe(true);
    expect(isOutdated(outdatedRow("x", { range: "^2.0.0" }, locked("2.0.0"), "t", agent(["1.1.0", "2.0.0"])))).toBe(false);
  });

  it("skips yanked versions, keeps prerelease current ahead of latest, and flags a missing lock entry", () => {
    const a = agent(["1.0.0", "1.1.0", "2.0.0-beta.1"]);
    a.versions["1.1.0"]!.yanked = "broken";
    const row = outdatedRow("x", { range: "^1.0.0" }, locked("1.0.0"), "t", a);
    expect([row.wanted, row.latest, isOutdated(row)]).toEqual(["1.0.0", "1.0.0", false]);
    expect(isOutdated(outdatedRow("x", { range: "next" }, locked("2.0.0-beta.1"), "t", a))).toBe(false);
    expect(isOutdated(outdatedRow("x", { range: "^1.0.0" }, undefined, "t", a))).toBe(true);
  });

  it("has no wanted when nothing satisfies the range, and no versions for an agent the registry lacks", () => {
    expect(outdatedRow("x", { range: "^3.0.0" }, locked("1.0.0"), "t", agent(["1.0.0"])).wanted).toBeNull();
    const gone = outdatedRow("x", { range: "^1" }, locked("1.0.0"), "t", null);
    expect([gone.wanted, gone.latest, isOutdated(gone)]).toEqual([null, null, false]);
  });

  it("makes plugin rows from a plugin's versions", () => {
    const row = outdatedRow("kit", { range: "^1.0.0" }, { version: "1.0.0" }, "mk", agent(["1.0.0", "1.2.0"]), "plugin");
    expect(row).toMatchObject({ name: "kit", type: "plugin", current: "1.0.0", wanted: "1.2.0", latest: "1.2.0" });
    expect(isOutdated(row)).toBe(true);
  });

  it("carries the deprecation message", () => {
    expect(outdatedRow("x", { range: "^1" }, locked("1.0.0"), "t", agent(["1.0.0"], { deprecated: "use y" })).deprecated).toBe("use y");
  });
});
