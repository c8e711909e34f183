import { AgentpkgError } from "../util/errors.js";
import { parseAgent } from "../agent/parse.js";
import { permissionChanges, requiresConfirmation } from "../agent/permissions.js";
import { writesFile, type Plan, type PermissionReview } from "../plan/plan.js";
import { permissionLines } from "../plan/review.js";
import { loadPristine } from "./content.js";
import type { Context } from "./context.js";
import type { ChangePrompts } from "./prompts.js";

/** What each update changes in what the agent may do (tools, permissionMode, hooks, mcpServers, model). */
async function collectPermissionChanges(ctx: Context, plan: Plan): Promise<PermissionReview[]> {
  const out: PermissionReview[] = [];
  for (const step of plan.steps) {
    if (step.op !== "update" || step.kind !== "agent" || !writesFile(step) || step.from.sha256 === step.to.sha256) continue;
    const incoming = plan.incoming.get(step.file);
    if (!incoming) continue;
    const before = parseAgent((await loadPristine(ctx, step.from)).toString("utf8")).frontmatter;
    const after = parseAgent(incoming.toString("utf8")).frontmatter;
    const changes = permissionChanges(before, after);
    if (changes.length) out.push({ name: step.name, from: step.from.version, to: step.to.version, changes, risky: requiresConfirmation(changes) });
  }
  return out;
}

/**
 * Updates that grant an agent more power need a yes: --yes, or a prompt on a terminal; otherwise exit 3.
 * A dry run only reports them.
 */
export async function reviewPermissions(ctx: Context, plan: Plan, o: { yes: boolean; dryRun: boolean }, prompts?: ChangePrompts): Promise<Plan> {
  const permissions = await collectPermissionChanges(ctx, plan);
  const risky = permissions.filter((c) => c.risky);
  if (risky.length > 0 && !o.yes && !o.dryRun && !(prompts && (await prompts.permissions(risky)))) {
    throw new AgentpkgError("E_PERMISSIONS", `${risky.length} update${risky.length > 1 ? "s change" : " changes"} what an agent may do; nothing was changed`, {
      details: permissionLines(risky),
      hint: "review the changes above, then re-run with --yes to apply them",
      data: { permissionChanges: risky },
    });
  }
  return { ...plan, permissions };
}
