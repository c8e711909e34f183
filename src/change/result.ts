import type { Plan } from "../plan/plan.js";
import type { Scope } from "../project/scope.js";

/** What a mutating command did (or, with --dry-run, would do): its plan, rendered by the cli, never printed here. */
export interface ChangeResult {
  command: string;
  dryRun: boolean;
  /** the plan was applied (false: a dry run, nothing to do, or stopped at merge conflicts) */
  applied: boolean;
  /** backups of overwritten local edits, relative to the scope root */
  backups: string[];
  scopeRoot: string;
  /** where it ran: the scope and the folder agentpkg was started in (for saying where files went) */
  place?: { scope: Scope; cwd: string; home: string };
  plan: Plan;
}
