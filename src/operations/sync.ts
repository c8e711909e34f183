import { statSync } from "node:fs";
import { AgentpkgError } from "../util/errors.js";
import { dict } from "../util/json.js";
import { cacheDir } from "../util/deps.js";
import type { Deps } from "../util/deps.js";
import { emptyLockfile, type LockEntry } from "../project/lockfile.js";
import { emptyManifest, type Dependency } from "../project/manifest.js";
import { emptyPlan } from "../plan/plan.js";
import { resolveScope, scopeFile, type Scope } from "../project/scope.js";
import { StatCache, statKey } from "../store/stat-cache.js";
import { lockSatisfies } from "../change/desired-lock.js";
import { needsTidy } from "../apply/housekeeping.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

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
  const scope = resolveScope({ cwd: deps.cwd, home: deps.home, global: o.global === true });
  const statCache = StatCache.load(cacheDir(deps), scope.root);
  const inputs = projectInputs(scope);
  const quick = inputs === undefined ? undefined : await unchangedSync(scope, statCache, inputs, o);
  if (quick) return quick;
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
    const agents = dict<LockEntry>();
    for (const [name, entry] of Object.entries(lock.agents)) if (Object.hasOwn(manifest.agents, name)) agents[name] = entry;
    locked = Object.keys(agents).length;
    return { manifest: cloneManifest(manifest), desired: { ...lock, agents }, restoreModified: true };
  }, { statCache, inputs });
  return { ...result, locked };
}

/** The stats of the manifest and lockfile, as one key; undefined while either may still change unseen. */
function projectInputs(scope: Scope): string | undefined {
  const manifest = statKey(statSync(scope.manifestPath, { throwIfNoEntry: false }));
  const lock = statKey(statSync(scope.lockPath, { throwIfNoEntry: false }));
  return manifest === undefined || lock === undefined ? undefined : `${manifest}|${lock}`;
}

/**
 * A repeated sync of an unchanged project, answered from the stat cache as git answers `git status`:
 * the last sync with this manifest and lockfile changed nothing, and no agent file it hashed has
 * changed since (by stat). No parse, no plan: a no-op sync of 500 agents is 500 stats (DESIGN.md §7).
 */
async function unchangedSync(scope: Scope, statCache: StatCache, inputs: string, o: SyncOptions): Promise<SyncResult | undefined> {
  const statOf = (rel: string) => {
    const st = statSync(scopeFile(scope, rel), { throwIfNoEntry: false });
    return st?.isFile() ? st : undefined;
  };
  const count = statCache.unchangedSince("sync", inputs, statOf);
  if (count === undefined || (await needsTidy(scope))) return undefined;
  // nothing is parsed: the plan is empty, and what it would write is not looked at
  return { command: "sync", dryRun: o.dryRun === true, applied: false, backups: [], scopeRoot: scope.root, plan: emptyPlan(emptyManifest(), emptyLockfile()), locked: count };
}
