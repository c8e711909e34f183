import { semver } from "../util/semver.js";
import { dict } from "../util/json.js";
import type { LockEntry, Lockfile } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import { resolveAgent } from "./resolve-agent.js";
import type { Context } from "./context.js";

/** A lock entry still serves a dependency when registry and range both agree. */
export function lockSatisfies(entry: LockEntry | undefined, dep: Dependency): entry is LockEntry {
  if (!entry) return false;
  if (dep.registry && entry.registry !== dep.registry) return false;
  if (!semver.isValidRange(dep.range)) return true; // a tag: whatever it resolved to when locked
  return semver.satisfies(entry.version, dep.range, { includePrerelease: true });
}

/**
 * Desired lock: every manifest agent at its locked version when that still satisfies the range,
 * otherwise freshly resolved; lock entries no longer in the manifest are dropped.
 */
export async function desiredLock(
  ctx: Context,
  manifest: Manifest,
  resolvedNow: ReadonlyMap<string, LockEntry>,
): Promise<Lockfile> {
  const desired = dict<LockEntry>();
  await Promise.all(
    Object.entries(manifest.agents).map(async ([name, dep]) => {
      const locked = ctx.files.lock.agents[name];
      const now = resolvedNow.get(name);
      desired[name] = now ?? (lockSatisfies(locked, dep) ? locked : (await resolveAgent(ctx.registries, name, dep)).entry);
    }),
  );
  return { ...ctx.files.lock, agents: desired };
}
