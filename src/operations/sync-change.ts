import { AgentpkgError } from "../util/errors.js";
import { dict, own } from "../util/json.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry, Lockfile, PluginLock } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import type { StatCache } from "../store/stat-cache.js";
import { lockSatisfies } from "../change/desired-lock.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export type SyncOptions = ChangeOptions & {
  /** the running agentpkg's version: a no-op remembered by another version is not reused */
  agentpkgVersion?: string;
};

export interface SyncResult extends ChangeResult {
  /** packages (agents and plugins) the lock pins, after dropping those no longer in the manifest */
  locked: number;
}

/** lockSatisfies without its type guard (a false answer here does not mean "no entry"). */
const satisfies = (entry: LockEntry | PluginLock, dep: Dependency): boolean => lockSatisfies(entry, dep);
const wanted = (dep: Dependency) => `"${dep.registry ? `${dep.registry}/` : ""}${dep.range}"`;
const partsOf = (parts: readonly string[] | undefined) => (parts?.length ? `parts ${parts.join(", ")}` : "the whole plugin");

/**
 * Every manifest agent and plugin the lock does not serve as it is (no entry, another registry, a range the
 * locked version misses, other parts of a plugin), one line each, sorted: sync never resolves them.
 */
function uncovered(manifest: Manifest, lock: Lockfile): string[] {
  const out: string[] = [];
  const check = (label: string, entry: (LockEntry & { parts?: string[] }) | PluginLock | undefined, dep: Dependency) => {
    if (!entry) out.push(`${label}: in the manifest but not in the lockfile`);
    else if (satisfies(entry, dep)) return;
    else if ((entry.parts ?? []).join("\n") !== (dep.parts ?? []).join("\n")) out.push(`${label}: locked with ${partsOf(entry.parts)}, the manifest wants ${partsOf(dep.parts)}`);
    else out.push(`${label}: locked ${entry.registry}@${entry.version} does not satisfy ${wanted(dep)}`);
  };
  for (const [name, dep] of Object.entries(manifest.agents)) check(name, own(lock.agents, name), dep);
  for (const [name, dep] of Object.entries(manifest.plugins)) check(`plugin ${name}`, own(lock.plugins, name), dep);
  return out.sort();
}

/**
 * The whole sync (sync.ts tries the remembered no-op first): plan against the lock and apply. A run that
 * changed nothing is remembered under `inputs` (undefined: the manifest or lock may still change unseen).
 */
export async function changeSync(o: SyncOptions, deps: Deps, statCache: StatCache, inputs: string | undefined): Promise<SyncResult> {
  let locked = 0;
  const result = await runChange("sync", o, deps, "if-stale", async (c) => {
    if (c.files.manifestText === undefined) {
      throw new AgentpkgError("E_NOT_FOUND", `no ${c.scope.global ? "~/" : ""}.claude/agentpkg.json to sync from`, {
        hint: c.scope.global ? "create one with agentpkg init --global" : "run agentpkg init, or run sync in the project that has it",
      });
    }
    const { manifest, lock } = c.files;
    const stale = uncovered(manifest, lock);
    if (stale.length) {
      throw new AgentpkgError("E_LOCK_OUTDATED", ".claude/agentpkg.lock does not cover .claude/agentpkg.json; sync never resolves versions", {
        details: stale,
        hint: "run agentpkg install (it resolves what the lock lacks), then commit the lockfile",
        data: { stale },
      });
    }
    const agents = dict<LockEntry>();
    for (const [name, entry] of Object.entries(lock.agents)) if (Object.hasOwn(manifest.agents, name)) agents[name] = entry;
    const plugins = dict<PluginLock>();
    for (const [name, entry] of Object.entries(lock.plugins)) if (Object.hasOwn(manifest.plugins, name)) plugins[name] = entry;
    locked = Object.keys(agents).length + Object.keys(plugins).length;
    return { manifest: cloneManifest(manifest), desired: { ...lock, agents, plugins }, restoreModified: true };
  }, { statCache, inputs });
  return { ...result, locked };
}
