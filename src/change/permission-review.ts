import { AgentpkgError } from "../util/errors.js";
import { parseAgent } from "../agent/parse.js";
import { describePermissionChange, permissionChanges, requiresConfirmation, type PermissionChange } from "../agent/permissions.js";
import { writesFile } from "../plan/compute-plan.js";
import { loadPristine } from "./content.js";
import type { Context } from "./context.js";
import type { SettledPlan } from "./local-edits.js";

export interface AgentPermissionChanges {
  name: string;
  from: string;
  to: string;
  changes: PermissionChange[];
  risky: boolean;
}

/** What each update changes in what the agent may do (tools, permissionMode, hooks, mcpServers, model). */
export async function collectPermissionChanges(ctx: Context, plan: SettledPlan): Promise<AgentPermissionChanges[]> {
  const out: AgentPermissionChanges[] = [];
  for (const step of plan.steps) {
    if (step.op !== "update" || step.resolution === "keep" || !writesFile(step) || step.from.sha256 === step.to.sha256) continue;
    const incoming = plan.incoming.get(step.name);
    if (!incoming) continue;
    const before = parseAgent((await loadPristine(ctx, step.from)).toString("utf8")).frontmatter;
    const after = parseAgent(incoming.toString("utf8")).frontmatter;
    const changes = permissionChanges(before, after);
    if (changes.length) out.push({ name: step.name, from: step.from.version, to: step.to.version, changes, risky: requiresConfirmation(changes) });
  }
  return out;
}

export function permissionLines(p: AgentPermissionChanges[]): string[] {
  return p.flatMap((a) => [`${a.name} ${a.from} -> ${a.to}:`, ...a.changes.map((c) => `  ${describePermissionChange(c)}`)]);
}

/**
 * Updates that grant an agent more power need a yes: --yes, or a prompt on a TTY; otherwise exit 3.
 * A dry run only reports them.
 */
export async function confirmPermissionChanges(
  ctx: Context,
  changes: AgentPermissionChanges[],
  o: { yes: boolean; dryRun: boolean },
): Promise<void> {
  const risky = changes.filter((c) => c.risky);
  if (risky.length === 0 || o.yes || o.dryRun) return;
  const lines = permissionLines(risky);
  if (ctx.deps.prompt && ctx.deps.io.interactive) {
    ctx.deps.io.err(["These updates change what the agents may do:", ...lines].join("\n"));
    const answer = await ctx.deps.prompt("Apply them?", [
      { key: "y", label: "yes" },
      { key: "n", label: "no" },
    ]);
    if (answer === "y") return;
  }
  throw new AgentpkgError("E_PERMISSIONS", `${risky.length} update${risky.length > 1 ? "s change" : " changes"} what an agent may do; nothing was changed`, {
    details: lines,
    hint: "review the changes above, then re-run with --yes to apply them",
    data: { permissionChanges: risky },
  });
}
