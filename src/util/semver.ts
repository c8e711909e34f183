// Only the semver functions agentpkg uses, imported one by one: loading the package index pulls in
// every module of semver, which costs start-up time on every command.
import valid from "semver/functions/valid.js";
import clean from "semver/functions/clean.js";
import inc from "semver/functions/inc.js";
import prerelease from "semver/functions/prerelease.js";
import compare from "semver/functions/compare.js";
import rcompare from "semver/functions/rcompare.js";
import gt from "semver/functions/gt.js";
import lt from "semver/functions/lt.js";
import satisfies from "semver/functions/satisfies.js";
import coerce from "semver/functions/coerce.js";
import validRange from "semver/ranges/valid.js";
import maxSatisfying from "semver/ranges/max-satisfying.js";
import minVersion from "semver/ranges/min-version.js";

export const semver = { valid, clean, inc, prerelease, compare, rcompare, gt, lt, satisfies, coerce, validRange, maxSatisfying, minVersion };
