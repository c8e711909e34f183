import semver from "semver";
import { describe, expect, it } from "vitest";
import { commitVersion, commitVersions, monotonicTimes, normalizeVersion, parseVersionTag } from "./git-versions.js";

describe("parseVersionTag", () => {
  it.each([
    ["v1.2.3", { version: "1.2.3" }],
    ["1.2.3", { version: "1.2.3" }],
    ["v2.0.0-beta.1", { version: "2.0.0-beta.1" }],
    ["code-reviewer@1.2.3", { version: "1.2.3", agent: "code-reviewer" }],
    ["code-reviewer@v1.2.3", { version: "1.2.3", agent: "code-reviewer" }],
    ["code-reviewer-v1.2.3", { version: "1.2.3", agent: "code-reviewer" }],
    ["my-v2-agent-v1.0.0", { version: "1.0.0", agent: "my-v2-agent" }],
    ["code-reviewer/v1.2.3", { version: "1.2.3", agent: "code-reviewer" }],
    ["writer@1.0.0-rc.1", { version: "1.0.0-rc.1", agent: "writer" }],
  ])("%s -> %j", (tag, want) => {
    expect(parseVersionTag(tag)).toEqual(want);
  });

  it.each(["v1.2", "release-2024", "latest", "v01.2.3", "1.2.3.4", "name@1.2", "-v1.0.0", "a b@1.0.0", "x@1.0.0@2.0.0"])("%s is not a version tag", (tag) => {
    expect(parseVersionTag(tag)).toBeUndefined();
  });
});

describe("commitVersion", () => {
  it("is a semver prerelease of 0.0.0 from the UTC commit time and the short sha", () => {
    const v = commitVersion(Date.UTC(2025, 2, 4, 5, 6, 7) / 1000, "abcdef0123456789");
    expect(v).toBe("0.0.0-20250304050607.abcdef0");
    expect(semver.valid(v)).toBe(v);
    expect(semver.prerelease(v)).not.toBeNull();
  });

  it("stays valid semver when the short sha is all digits with a leading zero", () => {
    const v = commitVersion(0, "0123456fff");
    expect(v).toBe("0.0.0-19700101000000.g0123456");
    expect(semver.valid(v)).toBe(v);
    expect(semver.valid(commitVersion(0, "1234567fff"))).not.toBeNull();
  });

  it("later commits sort higher, also when they share a timestamp (monotonicTimes)", () => {
    expect(monotonicTimes([5, 5, 4, 10, 10])).toEqual([5, 6, 7, 10, 11]);
    const vs = commitVersions(
      [
        { commit: "ffff000", time: 100 },
        { commit: "0000aaa", time: 100 },
        { commit: "1111111", time: 50 },
      ],
      "a.md",
    );
    const order = Object.keys(vs).sort(semver.compare);
    expect(order.map((v) => vs[v]!.commit)).toEqual(["ffff000", "0000aaa", "1111111"]);
    expect(Object.values(vs).every((v) => v.path === "a.md")).toBe(true);
  });
});

describe("normalizeVersion", () => {
  it.each([
    ["1.2.3", "1.2.3"],
    ["v1.2.3", "1.2.3"],
    [" =1.2.3 ", "1.2.3"],
    ["1.2", "1.2.0"],
    ["2024.1.5", "2024.1.5"],
    ["2024.01.05", undefined],
    ["", undefined],
    ["banana", undefined],
    [3, undefined],
    [undefined, undefined],
  ])("%j -> %j", (raw, want) => {
    expect(normalizeVersion(raw)).toBe(want);
  });
});
