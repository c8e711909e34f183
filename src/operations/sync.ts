import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry } from "../project/lockfile.js";
import type { Dependency } from "../project/manifest.js";
import { lockSatisfies } from "./desired-lock.js";
import { cloneManifest, runChange, type ChangeOptions } from "./change.js";
import type { ChangeResult } from "./result.js";

export type SyncOptions = ChangeOptions;

/** lockSatisfies without its type guard (a false answer here does not mean "no entry"). */
const satisfies = (entry: LockEntry, dep: Dependency): boolean => lockSatisfies(entry, dep);

export interface SyncResult extends ChangeResult {
  /** agents the lock pins (after dropping those no longer in the manifest) */
  locked: number;
}

/**
 * sync: make .claude/agents match the lockfile exactly, never resolving anything. Missing files are
 * written, edited files restored (local-edit rules apply: refuse / --keep / --force / --merge), and
 * agents dropped from the manifest are removed. A manifest the lock does not cover is exit 4.
 */
export async function runSync(o: SyncOptions, deps: Deps): Promise<SyncResult> {
  let locked = 0;
  const result = await runChange("sync", o, deps, "if-stale", async (c) => {
    if (c.files.manifestText === undefined) {
      throw new AgentpkgError("E_NOT_FOUND", `no ${c.scope.global ? "~/" : ""}.claude/agentpkg.json to sync from`, {
        hint: c.scope.global ? "create one with agentpkg init --global" : "run agentpkg init, or run sync in the project that has it",
      });
    }
    const { manifest, lock } = c.files;
    const stale: string[] = [];
    for (const [name, dep] of Object.entries(manifest.agents)) {
      const entry = lock.agents[name];
      if (!entry) stale.push(`${name}: in the manifest but not in the lockfile`);
      else if (!satisfies(entry, dep)) {
        stale.push(`${name}: locked ${entry.registry}@${entry.version} does not satisfy "${dep.registry ? `${dep.registry}/` : ""}${dep.range}"`);
      }
    }
    if (stale.length) {
      throw new AgentpkgError("E_LOCK_OUTDATED", ".claude/agentpkg.lock does not cover .claude/agentpkg.json; sync never resolves versions", {
        details: stale.sort(),
        hint: "run agentpkg install (it resolves what the lock lacks), then commit the lockfile",
        data: { stale: stale.sort() },
      });
    }
    const desired: Record<string, LockEntry> = {};
    for (const [name, entry] of Object.entries(lock.agents)) if (Object.hasOwn(manifest.agents, name)) desired[name] = entry;
    locked = Object.keys(desired).length;
    return { manifest: cloneManifest(manifest), resolvedNow: new Map(), desired, restoreModified: true };
  });
  return { ...result, locked };
}
