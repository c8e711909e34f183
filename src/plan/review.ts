import { describePermissionChange } from "../agent/permissions.js";
import type { PermissionReview } from "./plan.js";

/** The review as text: `name 1.0.0 -> 1.1.0:` then one indented line per change (prompts, errors, results). */
export function permissionLines(review: readonly PermissionReview[]): string[] {
  return review.flatMap((a) => [`${a.name} ${a.from} -> ${a.to}:`, ...a.changes.map((c) => `  ${describePermissionChange(c)}`)]);
}
