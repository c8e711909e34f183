import compare from "semver/functions/compare.js";
import prerelease from "semver/functions/prerelease.js";
import satisfies from "semver/functions/satisfies.js";
import valid from "semver/functions/valid.js";
import validRange from "semver/ranges/valid.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/seeded-random.js";
import { semver, simpleSatisfies } from "./semver.js";

const parts = [0, 1, 2, 10];
const versions = parts.flatMap((a) => parts.flatMap((b) => parts.map((c) => `${a}.${b}.${c}`)));

describe("simpleSatisfies", () => {
  it("agrees with semver for every plain version and simple range over small numbers", () => {
    let checked = 0;
    for (const op of ["", "^", "~", ">="]) {
      for (const base of versions) {
        for (const v of versions) {
          const expected = satisfies(v, `${op}${base}`, { includePrerelease: true });
          expect(simpleSatisfies(v, `${op}${base}`), `${v} in ${op}${base}`).toBe(expected);
          expect(satisfies(v, `${op}${base}`)).toBe(expected);
          checked++;
        }
      }
    }
    expect(checked).toBe(4 * versions.length ** 2);
  });

  it("leaves everything else to semver", () => {
    for (const [v, r] of [
      ["1.0.0-beta.1", "^1.0.0"],
      ["1.2.3", "^1.2"],
      ["1.2.3", "1.x"],
      ["1.2.3", ">=1.0.0 <2.0.0"],
      ["1.2.3", "v1.2.3"],
      ["01.2.3", "^1.0.0"],
      ["1.2.3", "^ 1.2.3"],
      ["1.2.3", "*"],
      ["9999999999999999.0.0", "^1.0.0"],
    ]) {
      expect(simpleSatisfies(v!, r!), `${v} ${r}`).toBeUndefined();
    }
  });

  it("backs semver.satisfies and semver.isValidRange, which still answer the hard cases", () => {
    expect(semver.satisfies("1.5.0-beta.1", "^1.0.0", { includePrerelease: true })).toBe(true);
    expect(semver.satisfies("1.5.0-beta.1", "^1.0.0")).toBe(false);
    expect(semver.satisfies("1.5.0", ">=1.0.0 <2.0.0")).toBe(true);
    for (const r of ["^1.2.3", "~0.0.1", ">=3.0.0", "1.2.3", "1.x", "^1", "*", ">=1 <2", "latest", "beta", "", "^1.2.3.4", "~>1"]) {
      expect(semver.isValidRange(r), r).toBe(validRange(r) !== null);
    }
  });

  it("answers valid, compare, rcompare and prerelease as semver does", () => {
    const all = [...versions, "1.0.0-beta.1", "1.0.0-rc.2", "2.0.0+build.5", "v1.2.3", "01.2.3", "1.2", "x", ""];
    for (const a of all) {
      expect(semver.valid(a), a).toBe(valid(a));
      if (valid(a)) expect(semver.prerelease(a), a).toEqual(prerelease(a));
      for (const b of all) {
        if (!valid(a) || !valid(b)) continue;
        expect(semver.compare(a, b), `${a} vs ${b}`).toBe(compare(a, b));
        expect(semver.rcompare(a, b), `${a} vs ${b}`).toBe(compare(b, a));
      }
    }
  });

  it("knows a dist-tag from a range without semver, and agrees with it", () => {
    const words = ["latest", "next", "beta", "stable", "canary", "lts", "dev", "x", "v1", "v2-x", "y", "z9", "a-b-c", "w1", "u2"];
    const random = seededRandom(9);
    for (let i = 0; i < 200; i++) words.push(random().toString(36).slice(2, 2 + (i % 9) + 1).replace(/^[0-9]/, "q"));
    for (const w of words) expect(semver.isValidRange(w), w).toBe(validRange(w) !== null);
  });
});

