import { COMMIT_REF_RE, semver } from "../util/semver.js";
import { AgentpkgError, EXIT } from "../util/errors.js";
import type { AgentEntry, Source, VersionInfo } from "./source.js";
import { own } from "../util/json.js";
import { isCommitVersion } from "./history/git-versions.js";


/** The newest version a source published at the commit `ref` abbreviates (marketplaces, plain repos). */
function versionAtCommit(entry: AgentEntry, ref: string): VersionInfo | undefined {
  if (!COMMIT_REF_RE.test(ref) || Object.hasOwn(entry.tags, ref)) return undefined;
  // a plugin from another repository also answers to the commit its marketplace pins there
  const hits = Object.values(entry.versions).filter((v) => (v.commit?.startsWith(ref) || v.origin?.sha?.startsWith(ref)) && !v.yanked && semver.valid(v.version));
  return hits.sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

/**
 * resolveVersion, where a commit that no listed version names is also asked of the source's history
 * (any commit that changed the agent, not only those a version was recorded at).
 */
export async function resolveVersionIn(source: Source, entry: AgentEntry, range: string): Promise<VersionInfo> {
  try {
    return resolveVersion(entry, range, source.name);
  } catch (err) {
    if (!(err instanceof AgentpkgError && err.code === "E_NO_MATCH" && COMMIT_REF_RE.test(range) && source.versionAtCommit)) throw err;
    const v = await source.versionAtCommit(entry, range);
    if (!v) throw err;
    return v;
  }
}

/** Versions newest first; yanked excluded unless asked. */
export function availableVersions(entry: AgentEntry, o: { includeYanked?: boolean } = {}): string[] {
  return Object.keys(entry.versions)
    .filter((v) => semver.valid(v) && (o.includeYanked || !entry.versions[v]!.yanked))
    .sort(semver.rcompare);
}

/**
 * Resolve a range, exact version or dist-tag against one agent's versions. Prereleases resolve only when
 * the range names one (as npm does); yanked versions never resolve here.
 */
export function resolveVersion(entry: AgentEntry, range: string, registry: string): VersionInfo {
  const atCommit = versionAtCommit(entry, range);
  if (atCommit) return atCommit;
  const isTag = /^[a-z][a-z0-9-]*$/.test(range) && !semver.isValidRange(range);
  if (isTag) {
    const tagged = Object.hasOwn(entry.tags, range) ? entry.tags[range] : undefined;
    if (tagged === undefined && range !== "latest" && !COMMIT_REF_RE.test(range)) throw unknownTag(entry, range, registry);
    const version = tagged ?? (range === "latest" ? latestVersion(entry) : undefined);
    const info = version ? own(entry.versions, version) : undefined;
    if (!info || info.yanked) throw noMatch(entry, range, registry);
    return info;
  }
  if (!semver.isValidRange(range)) {
    if (COMMIT_REF_RE.test(range)) throw noMatch(entry, range, registry);
    throw new AgentpkgError("E_USAGE", `invalid version range "${range}" for ${entry.name}`, {
      hint: `use a semver range (^1.2, ~1.2.3, 1.0.0) or a tag (${Object.keys(entry.tags).join(", ") || "latest"})`,
    });
  }
  const candidates = availableVersions(entry);
  const best = semver.maxSatisfying(candidates, range, { includePrerelease: semver.prerelease(semver.minVersion(range) ?? "0.0.0") !== null });
  if (best) return entry.versions[best]!;
  // listed versions the plugin's own plugin.json may rename: the newest is read, and its real version checked
  const provisional = candidates.find((v) => entry.versions[v]!.provisional);
  if (provisional) return entry.versions[provisional]!;
  throw noMatch(entry, range, registry);
}

/**
 * A provisional version, once read, still answers the range that picked it: its listed label or the
 * version its content declares matches (a tag or a commit always does, and so does the version of the
 * commit a followed branch is at: commits made in the same second need not sort in history order).
 */
export function versionStillMatches(v: VersionInfo, declared: string, range: string): boolean {
  if (!v.provisional || declared === v.version || !semver.isValidRange(range) || COMMIT_REF_RE.test(range) || isCommitVersion(declared)) return true;
  const o = { includePrerelease: true };
  return semver.satisfies(v.version, range, o) || semver.satisfies(declared, range, o);
}

/** The error when the version read declares a version outside the range. */
export function noVersionMatches(entry: AgentEntry, name: string, range: string, registry: string, declared: string): AgentpkgError {
  const err = noMatch({ ...entry, name }, range, registry);
  return new AgentpkgError("E_NO_MATCH", `${err.message} (its newest listed version declares ${declared} in its plugin.json)`, { hint: err.hint });
}

/**
 * A word that is neither a range nor one of the agent's tags (`@banana`): a usage error (exit 2), still coded
 * E_NO_MATCH so a stale cached registry is fetched once more before giving up (a tag published since).
 */
function unknownTag(entry: AgentEntry, word: string, registry: string): AgentpkgError {
  const tags = ["latest", ...Object.keys(entry.tags).filter((t) => t !== "latest")];
  return new AgentpkgError("E_NO_MATCH", `"${word}" is not a version range, and ${entry.name} in ${registry} has no tag "${word}"`, {
    exitCode: EXIT.usage,
    hint: `use a semver range (^1.2, ~1.2.3, 1.0.0) or a tag: ${tags.join(", ")}`,
  });
}

function noMatch(entry: AgentEntry, range: string, registry: string): AgentpkgError {
  const versions = availableVersions(entry).reverse();
  const yanked = Object.keys(entry.versions).filter((v) => entry.versions[v]!.yanked);
  return new AgentpkgError("E_NO_MATCH", `no version of ${entry.name} in ${registry} matches "${range}"`, {
    hint: `available: ${versions.length > 12 ? `${versions.slice(0, 2).join(", ")}, … ${versions.slice(-8).join(", ")}` : versions.join(", ") || "none"}${yanked.length ? ` (yanked: ${yanked.join(", ")})` : ""}${
      Object.keys(entry.tags).length ? `; tags: ${Object.keys(entry.tags).join(", ")}` : ""
    }`,
  });
}

/**
 * The newest non-prerelease, non-yanked version (or the `latest` tag when set); when an agent has only
 * prereleases (a plain repo's per-commit versions), the newest prerelease.
 */
export function latestVersion(entry: AgentEntry): string | undefined {
  const tagged = Object.hasOwn(entry.tags, "latest") ? entry.tags.latest : undefined;
  if (tagged && Object.hasOwn(entry.versions, tagged) && !entry.versions[tagged]!.yanked) return tagged;
  const available = availableVersions(entry);
  return available.find((v) => !semver.prerelease(v)) ?? available[0];
}

/** The range written to the manifest for a spec, like npm's save-prefix: ^x.y.z unless exact or a range. */
export function rangeToSave(requested: string | undefined, resolved: string, exact: boolean): string {
  if (exact) return resolved;
  if (requested === undefined || semver.valid(requested) || !semver.isValidRange(requested)) return `^${resolved}`;
  return requested;
}
