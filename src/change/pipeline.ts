// The one mutating pipeline behind install, upgrade, remove, sync and install --from. Its steps, in order:
//   1. intent      what the command wants: the new manifest (and versions it resolved on purpose)
//   2. resolve     the desired lock: locked versions that still satisfy, fresh resolutions for the rest
//   3. plan        diff the desired lock against the lock and the disk; load every byte needed; check the
//                  signatures of what comes from signed registries
//   4. local edits settle each file that differs from what agentpkg wrote (refuse, keep, force, merge, ask)
//   5. review      permission changes need a yes
//   6. apply       under the project lock, crash-safe (src/apply); planned again if another process
//                  changed the manifest or lock meanwhile. --dry-run stops before this step.
import { AgentpkgError } from "../util/errors.js";
import { withSmallYoungGeneration } from "../util/small-young-generation.js";
import type { Deps } from "../util/deps.js";
import type { Lockfile } from "../project/lockfile.js";
import type { Manifest } from "../project/manifest.js";
import { projectFilesChanged, readProjectFiles } from "../project/state.js";
import { splitTarget } from "../project/targets.js";
import type { StatCache } from "../store/stat-cache.js";
import type { SourceOptions } from "../sources/registries.js";
import { isNoop, type Plan } from "../plan/plan.js";
import { editModeFrom, withPatchRemovals } from "../plan/settle.js";
import { applyPlan, removeSettledConflicts, writeConflicts } from "../apply/apply.js";
import { needsTidy } from "../apply/housekeeping.js";
import { withProjectLock } from "../apply/project-lock.js";
import { openContext, type CommonOptions, type Context } from "./context.js";
import { desiredLock, type ResolvedNow } from "./desired-lock.js";
import { settleLocalEdits } from "./local-edits.js";
import { reviewPermissions } from "./permission-review.js";
import { preparePlan } from "./prepare.js";
import { checkSignatures } from "./signatures.js";
import type { ChangePrompts } from "./prompts.js";
import type { ChangeResult } from "./result.js";

export interface ChangeOptions extends CommonOptions {
  keep?: boolean;
  force?: boolean;
  merge?: boolean;
  /** the local files already are the merges the user wants (after a conflict) */
  resolved?: boolean;
  /** refuse to change the lockfile or manifest */
  frozen?: boolean;
  /** a terminal to ask (local edits, permission changes); none: never ask */
  prompts?: ChangePrompts;
}

/** What a command wants: the new manifest, plus versions it resolved on purpose. */
export interface Intent {
  manifest: Manifest;
  /** versions the command resolved on purpose (install NAME, upgrade) */
  resolvedNow?: ResolvedNow;
  /** the desired lock as is, skipping resolution (sync: the current lock filtered to the manifest) */
  desired?: Lockfile;
  /** also plan restoring locked files that were edited (sync) */
  restoreModified?: boolean;
}

/** Plans and applies one change of the scope: resolve, review, write, lockfile last. */
export async function runChange(...args: Parameters<typeof change>): Promise<ChangeResult> {
  // a plan of thousands of files allocates short-lived objects per file: V8 would grow its young generation
  // to ~3 x 16 MB for them (most of the peak RSS of installing 5,000 agents), at no gain in speed
  return withSmallYoungGeneration(() => change(...args), { optimizeForSize: true });
}

async function change(
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
  const mode = editModeFrom(o, o.prompts !== undefined);
  const dryRun = o.dryRun === true;
  const buildPlan = async (): Promise<Plan> => {
    ctx.deps.progress?.update(`${command}: resolving versions`);
    const intent = await intend(ctx); // 1
    const desired = intent.desired ?? (await desiredLock(ctx, intent.manifest, intent.resolvedNow ?? { agents: new Map() })); // 2
    ctx.deps.progress?.update(`${command}: reading the files to write`);
    const plan = await checkSignatures(ctx, await preparePlan(ctx, intent.manifest, desired, { restoreModified: intent.restoreModified }), command); // 3
    if (o.frozen && (plan.lockChanged || plan.manifestChanged)) {
      throw new AgentpkgError("E_LOCK_OUTDATED", ".claude/agentpkg.lock does not match .claude/agentpkg.json (--frozen)", {
        details: plan.steps.length ? plan.steps.map((s) => `${s.op} ${s.name}`) : ["the lockfile would be rewritten"],
        hint: "run agentpkg install without --frozen (or with --no-frozen under CI) and commit the lockfile",
      });
    }
    const settled = withPatchRemovals(await settleLocalEdits(ctx, plan, mode, o.prompts), ctx.files.lock); // 4
    return reviewPermissions(ctx, settled, { yes: o.yes === true, dryRun }, o.prompts); // 5
  };
  const { plan, applied, backups } = await planAndApply(ctx, buildPlan, dryRun); // 6
  const unchanged = !applied && isNoop(plan) && plan.conflicts.length === 0 && plan.warnings.length === 0;
  if (remember?.inputs !== undefined && unchanged) {
    // files by their own stat: an entry in a shared file (`.mcp.json#mcpServers/x`) is covered by its host file's
    const files = [...plan.disk.keys()].filter((f) => !splitTarget(f)).sort();
    ctx.statCache.rememberUnchanged(command, remember.inputs, files, [Object.keys(plan.lock.agents).length + Object.keys(plan.lock.plugins).length]);
  }
  ctx.statCache.save();
  return { command, dryRun, applied, backups, scopeRoot: ctx.scope.root, place: { scope: ctx.scope, cwd: ctx.deps.cwd, home: ctx.deps.home }, plan };
}

/**
 * Plan without the project lock (a dry run or a refused plan never creates anything), then apply under it.
 * An interrupted earlier run is finished first, so its half-applied files are not taken for local edits;
 * if another process changed the manifest or lockfile meanwhile, plan again.
 */
async function planAndApply(ctx: Context, buildPlan: () => Promise<Plan>, dryRun: boolean): Promise<{ plan: Plan; applied: boolean; backups: string[] }> {
  const notes: string[] = [];
  const noted = (p: Plan): Plan => ({ ...p, warnings: [...notes, ...p.warnings] });
  if (!dryRun && (await needsTidy(ctx.scope))) notes.push(...(await withProjectLock(ctx, async (t) => t)));
  if (notes.length) ctx.files = await readProjectFiles(ctx.scope);
  let plan = await buildPlan();
  if (dryRun && (await needsTidy(ctx.scope))) notes.push("an interrupted run left work to finish: the next command (or agentpkg doctor --fix) finishes it");
  if (dryRun || (isNoop(plan) && plan.conflicts.length === 0)) return { plan: noted(plan), applied: false, backups: [] };
  return withProjectLock(ctx, async (tidied) => {
    notes.push(...tidied);
    if (tidied.length || (await projectFilesChanged(ctx.files))) {
      ctx.files = await readProjectFiles(ctx.scope);
      plan = await buildPlan();
    }
    if (plan.conflicts.length > 0) {
      await writeConflicts(ctx.scope, plan.conflicts);
      return { plan: noted(plan), applied: false, backups: [] };
    }
    if (isNoop(plan)) return { plan: noted(plan), applied: false, backups: [] };
    const backups = await applyPlan(ctx.scope, ctx.files, plan, ctx.deps.progress);
    removeSettledConflicts(ctx.scope, plan);
    return { plan: noted(plan), applied: true, backups };
  });
}

export { cloneManifest } from "../project/manifest.js";
