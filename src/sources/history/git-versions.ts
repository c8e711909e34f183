import { semver } from "../../util/semver.js";
import { isValidAgentName } from "../../util/names.js";
import type { VersionInfo } from "../source.js";

/** What a git tag says: a version for the whole repository, or for one agent. */
export interface TagVersion {
  version: string;
  /** set for agent tags (`name@1.2.3`, `name-v1.2.3`, `name/v1.2.3`) */
  agent?: string;
}

function exactSemver(v: string): string | undefined {
  const clean = semver.valid(v);
  return clean !== null && clean === v ? clean : undefined;
}

/**
 * Version tags of a plain agent repository: `v1.2.3` and `1.2.3` version every agent in it;
 * `<name>@1.2.3` (or `@v1.2.3`), `<name>-v1.2.3` and `<name>/v1.2.3` version the agent named so.
 * Anything else (release-2024, latest, v1.2) is not a version tag.
 */
export function parseVersionTag(tag: string): TagVersion | undefined {
  const repoWide = /^v?(\d.*)$/.exec(tag);
  if (repoWide) {
    const version = exactSemver(repoWide[1]!);
    if (version) return { version };
  }
  const agentTag = /^(.+?)(?:@v?|-v|\/v?)(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(tag);
  if (!agentTag) return undefined;
  const version = exactSemver(agentTag[2]!);
  const agent = agentTag[1]!;
  return version && isValidAgentName(agent) ? { version, agent } : undefined;
}

/** A semver string for one commit: `0.0.0-<yyyymmddhhmmss>.<sha7>` (a prerelease, so ranges skip it unless asked). */
export function commitVersion(unixSeconds: number, commit: string): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const short = commit.slice(0, 7);
  // an all-digit short sha with a leading zero is not a valid semver identifier: prefix it like git describe
  const id = /^0\d*$/.test(short) ? `g${short}` : short;
  return `0.0.0-${stamp}.${id}`;
}

/** A version commitVersion made (it names a commit rather than a release). */
export function isCommitVersion(v: string): boolean {
  return /^0\.0\.0-\d{14}\.g?[0-9a-f]{7}$/.test(v);
}

/**
 * Commit times in history order, made strictly increasing (a tie or a clock-skewed commit gets the
 * previous time + 1 s), so versions built from them sort as the history does.
 */
export function monotonicTimes(times: readonly number[]): number[] {
  const out: number[] = [];
  for (const t of times) out.push(out.length && t <= out[out.length - 1]! ? out[out.length - 1]! + 1 : t);
  return out;
}

/** A plugin or tag version as written by people: `1.2.3`, `v1.2.3`, `=1.2.3`, `1.2` (coerced), else none. */
export function normalizeVersion(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  const clean = semver.clean(raw.trim());
  if (clean) return clean;
  return semver.coerce(raw)?.version ?? undefined;
}

/** One prerelease version per commit that changed an agent's file (`changes` oldest first). */
export function commitVersions(changes: ReadonlyArray<{ commit: string; time: number }>, path: string): Record<string, VersionInfo> {
  const times = monotonicTimes(changes.map((c) => c.time));
  const out: Record<string, VersionInfo> = {};
  changes.forEach((c, i) => {
    const version = commitVersion(times[i]!, c.commit);
    out[version] = { version, path, commit: c.commit };
  });
  return out;
}
