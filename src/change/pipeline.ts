import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry } from "../project/lockfile.js";
import type { Manifest } from "../project/manifest.js";
import type { SourceOptions } from "../sources/registries.js";
import { openContext, type CommonOptions, type Context } from "./context.js";
import { preparePlan } from "./prepare.js";
import { editModeFrom, settleLocalEdits } from "./local-edits.js";
import { transact } from "../apply/apply.js";
import { changeResult, type ChangeResult } from "./result.js";
import { collectPermissionChanges, confirmPermissionChanges } from "./permission-review.js";
import { desiredLock } from "./desired-lock.js";
import type { StatCache } from "../store/stat-cache.js";

export interface ChangeOptions extends CommonOptions {
  keep?: boolean;
  force?: boolean;
  merge?: boolean;
  /** the local files already are the merges the user wants (after a conflict) */
  resolved?: boolean;
  /** refuse to change the lockfile or manifest */
  frozen?: boolean;
}

/** How a command changes what is wanted: the new manifest, plus versions it resolved on purpose. */
export interface Intent {
  manifest: Manifest;
  resolvedNow: ReadonlyMap<string, LockEntry>;
  /** the desired lock as is, skipping resolution (sync: the current lock filtered to the manifest) */
  desired?: Record<string, LockEntry>;
  /** also plan restoring locked files that were edited (sync) */
  restoreModified?: boolean;
}

/**
 * The shared pipeline of install, upgrade, remove and sync: intent -> desired lock -> plan ->
 * local edits -> permission review -> apply under the lock (or stop, for --dry-run).
 */
export async function runChange(
  command: string,
  o: ChangeOptions,
  deps: Deps,
  policy: SourceOptions["policy"],
  intend: (c: Context) => Promise<Intent>,
  /**
   * The scope's stat cache, already loaded by the caller; with `inputs`, a run that changes nothing is
   * remembered under them (see StatCache.unchangedSince).
   */
  remember?: { statCache: StatCache; inputs?: string },
): Promise<ChangeResult> {
  const ctx = await openContext(o, deps, policy, remember?.statCache);
  const mode = editModeFrom(o, deps.io.interactive);
  const outcome = await transact(
    ctx,
    async (c) => {
      const intent = await intend(c);
      const desired = intent.desired ?? (await desiredLock(c, intent.manifest, intent.resolvedNow));
      const plan = await preparePlan(c, intent.manifest, desired, { restoreModified: intent.restoreModified });
      if (o.frozen && (plan.lockChanged || plan.manifestChanged)) {
        throw new AgentpkgError("E_LOCK_OUTDATED", ".claude/agentpkg.lock does not match .claude/agentpkg.json (--frozen)", {
          details: plan.steps.length ? plan.steps.map((s) => `${s.op} ${s.name}`) : ["the lockfile would be rewritten"],
          hint: "run agentpkg install without --frozen (or with --no-frozen under CI) and commit the lockfile",
        });
      }
      const settled = await settleLocalEdits(c, plan, mode);
      const permissions = await collectPermissionChanges(c, settled);
      await confirmPermissionChanges(c, permissions, { yes: o.yes === true, dryRun: o.dryRun === true });
      return { ...settled, permissions };
    },
    { dryRun: o.dryRun === true },
  );
  const { plan } = outcome;
  const unchanged = !outcome.applied && plan.steps.length === 0 && !plan.manifestChanged && !plan.lockChanged && plan.conflicts.length === 0 && plan.warnings.length === 0;
  if (remember?.inputs !== undefined && unchanged) ctx.statCache.rememberUnchanged(command, remember.inputs, [...plan.disk.keys()].sort(), Object.keys(plan.lock.agents).length);
  ctx.statCache.save();
  return changeResult(command, ctx, outcome, o.dryRun === true);
}

export function cloneManifest(m: Manifest): Manifest {
  return { ...m, registries: { ...m.registries }, ...(m.registryTypes ? { registryTypes: { ...m.registryTypes } } : {}), agents: { ...m.agents } };
}
