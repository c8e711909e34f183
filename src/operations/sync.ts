import { cacheDir, type Deps } from "../util/deps.js";
import { emptyLockfile } from "../project/lockfile.js";
import { emptyManifest } from "../project/manifest.js";
import { emptyPlan } from "../plan/plan.js";
import { scopeFor, statScopeFile, type Scope } from "../project/scope.js";
import { scopeRunKey, StatCache } from "../store/stat-cache.js";
import { needsTidy } from "../apply/housekeeping.js";
import type { SyncOptions, SyncResult } from "./sync-change.js";

export type { SyncOptions, SyncResult } from "./sync-change.js";

/**
 * sync: make the project match the lockfile exactly, never resolving anything. Missing files (an agent, a
 * plugin's files) and hook or MCP entries are written, edited ones restored (local-edit rules apply: refuse /
 * --keep / --force / --merge), and agents and plugins dropped from the manifest are removed. A manifest the
 * lock does not cover is exit 4. A repeated no-op is answered here; the change pipeline (sync-change.ts) is
 * loaded only when that answer is not there.
 */
export async function runSync(o: SyncOptions, deps: Deps): Promise<SyncResult> {
  const scope = scopeFor(deps, o.global === true);
  const statCache = StatCache.load(cacheDir(deps), scope.root);
  const inputs = scopeRunKey(o.agentpkgVersion, scope);
  const quick = inputs === undefined ? undefined : await unchangedSync(scope, statCache, inputs, o);
  if (quick) return quick;
  return (await import("./sync-change.js")).changeSync(o, deps, statCache, inputs);
}

/**
 * A repeated sync of an unchanged project, answered from the stat cache as git answers `git status`:
 * the last sync with this manifest and lockfile changed nothing, and no agent file it hashed has
 * changed since (by stat). No parse, no plan: a no-op sync of 500 agents is 500 stats (DESIGN.md §7).
 */
async function unchangedSync(scope: Scope, statCache: StatCache, inputs: string, o: SyncOptions): Promise<SyncResult | undefined> {
  const count = statCache.unchangedSince("sync", inputs, (rel) => statScopeFile(scope, rel))?.counts[0];
  if (count === undefined || (await needsTidy(scope))) return undefined;
  // nothing is parsed: the plan is empty, and what it would write is not looked at
  return { command: "sync", dryRun: o.dryRun === true, applied: false, backups: [], scopeRoot: scope.root, plan: emptyPlan(emptyManifest(), emptyLockfile()), locked: count };
}
