// Only the semver functions agentpkg uses, imported one by one: loading the package index pulls in
// every module of semver, which costs start-up time on every command.
import valid from "semver/functions/valid.js";
import clean from "semver/functions/clean.js";
import inc from "semver/functions/inc.js";
import prerelease from "semver/functions/prerelease.js";
import compare from "semver/functions/compare.js";
import gt from "semver/functions/gt.js";
import lt from "semver/functions/lt.js";
import satisfies from "semver/functions/satisfies.js";
import coerce from "semver/functions/coerce.js";
import semverValidRange from "semver/ranges/valid.js";
import maxSatisfying from "semver/ranges/max-satisfying.js";
import minVersion from "semver/ranges/min-version.js";
import type { SemVer } from "semver";

/** `1.2.3`, `^1.2.3`, `~1.2.3` or `>=1.2.3` with plain numeric parts: what npm-style manifests hold. */
const SIMPLE_RANGE = /^(\^|~|>=)?(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/;
const PLAIN_VERSION = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/;
/** A lowercase word semver never reads as a range: a comparator may only start with v, x or X among letters. */
const NOT_A_RANGE = /^[a-uwyz][a-z0-9-]*$/;

function plainParts(version: string): [number, number, number] | undefined {
  const m = PLAIN_VERSION.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/*
 * The fast paths below decide the common cases (plain x.y.z versions, ^/~/>= ranges, dist-tags) without
 * semver, whose first use compiles its large regular expressions: milliseconds of every install, sync and
 * verify (DESIGN.md §7). Anything else goes to semver itself; semver.test.ts checks both agree.
 */

/** satisfies() for a plain version and a simple range; undefined for anything else. */
export function simpleSatisfies(version: string, range: string): boolean | undefined {
  const v = plainParts(version);
  const r = SIMPLE_RANGE.exec(range);
  if (!v || !r) return undefined;
  const [vMajor, vMinor, vPatch] = v;
  const [major, minor, patch] = [Number(r[2]), Number(r[3]), Number(r[4])];
  const cmp = vMajor - major || vMinor - minor || vPatch - patch;
  if (r[1] === undefined) return cmp === 0;
  if (r[1] === ">=") return cmp >= 0;
  if (r[1] === "~") return cmp >= 0 && vMajor === major && vMinor === minor;
  // ^: the leftmost non-zero part stays the same
  if (major > 0) return cmp >= 0 && vMajor === major;
  if (minor > 0) return cmp >= 0 && vMajor === 0 && vMinor === minor;
  return cmp === 0;
}

function compareFast(a: string, b: string): number {
  const x = plainParts(a);
  const y = plainParts(b);
  if (!x || !y) return compare(a, b);
  return Math.sign(x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
}

// A manifest of hundreds of agents repeats the same few ranges and versions: each is parsed once per
// run instead of once per agent (no-op sync and verify, DESIGN.md §7).
function once<R>(fn: (key: string) => R): (key: string) => R {
  const results = new Map<string, R>();
  return (key) => {
    if (!results.has(key)) results.set(key, fn(key));
    return results.get(key) as R;
  };
}

const satisfiedBy = new Map<string, boolean>();
function satisfiesOnce(version: string, range: string, o?: { includePrerelease?: boolean }): boolean {
  const simple = simpleSatisfies(version, range);
  if (simple !== undefined) return simple;
  const key = JSON.stringify([version, range, o?.includePrerelease === true]);
  let ok = satisfiedBy.get(key);
  if (ok === undefined) satisfiedBy.set(key, (ok = satisfies(version, range, o)));
  return ok;
}

export const semver = {
  valid: once((v) => (PLAIN_VERSION.test(v) ? v : valid(v))),
  clean,
  inc,
  prerelease: (v: string | SemVer) => (typeof v === "string" && PLAIN_VERSION.test(v) ? null : prerelease(v)),
  compare: compareFast,
  rcompare: (a: string, b: string) => compareFast(b, a),
  gt,
  lt,
  satisfies: satisfiesOnce,
  coerce,
  /** A semver range (not a tag): a boolean, not semver's normalised string. */
  isValidRange: once((range) => SIMPLE_RANGE.test(range) || (!NOT_A_RANGE.test(range) && semverValidRange(range) !== null)),
  maxSatisfying,
  minVersion,
};

/** A commit id (7 to 40 hex digits): picks the version a history-based source published at that commit. */
export const COMMIT_REF_RE = /^[0-9a-f]{7,40}$/;

/** What a manifest or a spec may give as a version: a semver range, a dist-tag, or a commit id. */
export function validRange(range: string): boolean {
  return range === "latest" || /^[a-z][a-z0-9-]*$/.test(range) || semver.isValidRange(range) || COMMIT_REF_RE.test(range);
}
