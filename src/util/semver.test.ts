import satisfies from "semver/functions/satisfies.js";
import validRange from "semver/ranges/valid.js";
import { describe, expect, it } from "vitest";
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
});
