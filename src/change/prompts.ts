import type { PermissionReview, Step } from "../plan/plan.js";

/** One local edit to decide on a terminal. */
export interface LocalEditQuestion {
  step: Step;
  /** e.g. `.claude/agents/x.md (modified: +3 -1)` */
  summary: string;
  /** merging needs an installed version to merge with (an update) */
  canMerge: boolean;
  /** the local edits as a unified diff (pristine -> local), on request */
  diff(): Promise<string>;
}

/**
 * The questions a change asks on a terminal. The cli implements them (it owns all printing); without them
 * a change never asks: local edits are refused and permission changes need --yes.
 */
export interface ChangePrompts {
  localEdit(q: LocalEditQuestion): Promise<"keep" | "overwrite" | "merge">;
  /** risky permission changes: apply them? */
  permissions(review: readonly PermissionReview[]): Promise<boolean>;
}
