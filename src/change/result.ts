import type { Step } from "../plan/compute-plan.js";
import type { Context } from "./context.js";
import type { SettledPlan } from "./local-edits.js";
import type { AgentPermissionChanges } from "./permission-review.js";

/** What a mutating command did (or, with --dry-run, would do): rendered by the CLI, never printed here. */
export interface ChangeResult {
  command: string;
  dryRun: boolean;
  applied: boolean;
  steps: Step[];
  manifestChanged: boolean;
  lockChanged: boolean;
  backups: string[];
  warnings: string[];
  conflicts: { name: string; file: string; conflictFile: string }[];
  permissions: AgentPermissionChanges[];
  scopeRoot: string;
}

export function changeResult(
  command: string,
  ctx: Context,
  outcome: { plan: SettledPlan & { permissions?: AgentPermissionChanges[] }; applied: boolean; backups: string[] },
  dryRun: boolean,
): ChangeResult {
  const { plan } = outcome;
  return {
    command,
    dryRun,
    applied: outcome.applied,
    steps: plan.steps,
    manifestChanged: plan.manifestChanged,
    lockChanged: plan.lockChanged,
    backups: outcome.backups,
    warnings: plan.warnings,
    conflicts: plan.conflicts.map(({ name, file, conflictFile }) => ({ name, file, conflictFile })),
    permissions: plan.permissions ?? [],
    scopeRoot: ctx.scope.root,
  };
}
