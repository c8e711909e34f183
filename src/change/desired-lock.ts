import { semver } from "../util/semver.js";
import { dict, own } from "../util/json.js";
import type { LockEntry, Lockfile, PluginLock } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import { resolveAgent } from "./resolve-agent.js";
import { resolvePlugin } from "./resolve-plugin.js";
import type { Context } from "./context.js";

/** A lock entry still serves a dependency when registry and range both agree (and, for a plugin, its parts). */
export function lockSatisfies<T extends { registry: string; version: string; parts?: string[] }>(entry: T | undefined, dep: Dependency): entry is T {
  if (!entry) return false;
  if (dep.registry && entry.registry !== dep.registry) return false;
  if ((entry.parts ?? []).join("\n") !== (dep.parts ?? []).join("\n")) return false;
  if (!semver.isValidRange(dep.range)) return true; // a tag: whatever it resolved to when locked
  return semver.satisfies(entry.version, dep.range, { includePrerelease: true });
}

/** Versions a command resolved on purpose (install NAME, upgrade), for agents and plugins. */
export interface ResolvedNow {
  agents: ReadonlyMap<string, LockEntry>;
  plugins?: ReadonlyMap<string, PluginLock>;
}

/**
 * Desired lock: every manifest agent and plugin at its locked version when that still satisfies the range,
 * otherwise freshly resolved; lock entries no longer in the manifest are dropped.
 */
export async function desiredLock(ctx: Context, manifest: Manifest, now: ResolvedNow): Promise<Lockfile> {
  const agents = dict<LockEntry>();
  const plugins = dict<PluginLock>();
  const { lock } = ctx.files;
  // only what must be resolved waits: a lock of thousands that still satisfies is taken as it is
  const resolving: Promise<void>[] = [];
  for (const [name, dep] of Object.entries(manifest.agents)) {
    const locked = own(lock.agents, name);
    const kept = now.agents.get(name) ?? (lockSatisfies(locked, dep) ? locked : undefined);
    if (kept) agents[name] = kept;
    else resolving.push(resolveAgent(ctx.registries, name, dep, locked).then((r) => void (agents[name] = r.entry)));
  }
  await Promise.all([
    ...resolving,
    ...Object.entries(manifest.plugins).map(async ([name, dep]) => {
      const locked = own(lock.plugins, name);
      plugins[name] = now.plugins?.get(name) ?? (lockSatisfies(locked, dep) ? locked : (await resolvePlugin(ctx, name, dep, locked)).lock);
    }),
  ]);
  return { ...lock, agents, plugins };
}
