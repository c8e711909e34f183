import { AgentpkgError } from "../util/errors.js";
import { own } from "../util/json.js";
import { parseAgent } from "../agent/parse.js";
import { firstInstallChanges, permissionChanges, programsOf, requiresConfirmation, type PermissionChange } from "../agent/permissions.js";
import { writesFile, type Plan, type PermissionReview, type Step } from "../plan/plan.js";
import { permissionLines } from "../plan/review.js";
import { isCommitGone } from "../store/git-mirrors.js";
import { auditReviewChanges } from "../audit/review.js";
import { loadPristine } from "./content.js";
import type { Context } from "./context.js";
import type { ChangePrompts } from "./prompts.js";

/** A step that puts something new into the lock (not a restore of what the lock already has). */
const isNew = (s: Step) => s.op === "add" && s.local !== "missing";

const frontmatter = (b: Buffer) => parseAgent(b.toString("utf8")).frontmatter;
const entryValue = (b: Buffer | undefined): unknown => (b === undefined ? undefined : JSON.parse(b.toString("utf8")));

/**
 * The pristine bytes an update replaces; undefined when a registry whose history was rewritten no longer
 * has them (the caller compares with the file as it is, or reviews the step as a first install).
 */
async function pristineOf(ctx: Context, s: Step & { op: "update" }): Promise<Buffer | undefined> {
  return loadPristine(ctx, s.from).catch((err: unknown) => {
    if (isCommitGone(err)) return undefined;
    throw err;
  });
}

/** What one step changes in what runs on the user's machine or what an agent may do. */
async function changesOf(ctx: Context, plan: Plan, s: Step): Promise<PermissionChange[]> {
  if (s.op === "remove" || !writesFile(s) || s.resolution === "keep") return [];
  // putting back what the lock already has (a fresh clone, sync) changes nothing the lock did not say
  if ((s.op === "add" && !isNew(s)) || (s.op === "update" && s.from.sha256 === s.to.sha256)) return [];
  const incoming = plan.incoming.get(s.file);
  if (!incoming) return [];
  if (s.kind === "agent") {
    if (isNew(s)) return firstInstallChanges(frontmatter(incoming));
    if (s.op !== "update") return [];
    const before = (await pristineOf(ctx, s)) ?? plan.local.get(s.file);
    return before ? permissionChanges(frontmatter(before), frontmatter(incoming)) : firstInstallChanges(frontmatter(incoming));
  }
  if (s.kind !== "hook" && s.kind !== "mcp") return [];
  // a hook group or MCP server of a plugin: each program it starts is shown and needs a yes
  const field = s.kind === "hook" ? "hooks" : "mcpServers";
  const wrap = (v: unknown) => (v === undefined ? undefined : { [s.to.part]: s.kind === "hook" ? [v] : v });
  const before = s.op === "update" ? entryValue(await pristineOf(ctx, s)) : undefined;
  const was = new Set(programsOf(field, wrap(before)));
  const label = s.kind === "hook" ? "hook" : "MCP server";
  return programsOf(field, wrap(entryValue(incoming)))
    .filter((p) => !was.has(p))
    .map((p) => ({ field, kind: "program-added" as const, risky: true, detail: `${label} ${p}` }));
}

/** The audit's high findings in what a step writes (an update: those its previous version did not have). */
async function auditChangesOf(ctx: Context, plan: Plan, s: Step): Promise<PermissionChange[]> {
  if (s.op === "remove" || !writesFile(s) || !(isNew(s) || (s.op === "update" && s.from.sha256 !== s.to.sha256))) return [];
  const bytes = plan.incoming.get(s.file);
  // a plugin's own copy of one of its parts is the part's text again
  if (!bytes || (s.kind === "file" && plan.steps.some((o) => o.name === s.name && o.kind !== "file" && o.op !== "remove" && o.to.path === s.to.path))) return [];
  const found = auditReviewChanges({ file: s.file, kind: s.kind, bytes });
  return found.length && s.op === "update" ? auditReviewChanges({ file: s.file, kind: s.kind, bytes }, await pristineOf(ctx, s)) : found;
}

/** The review of a plan, one entry per package: its version change and what it may now do or run. */
async function collect(ctx: Context, plan: Plan): Promise<PermissionReview[]> {
  const byPackage = new Map<string, PermissionReview>();
  for (const s of plan.steps) {
    const changes = [...(await changesOf(ctx, plan, s)), ...(await auditChangesOf(ctx, plan, s))];
    if (!changes.length || s.op === "remove") continue;
    const locked = own(ctx.files.lock.agents, s.name)?.version ?? own(ctx.files.lock.plugins, s.name)?.version;
    const review = byPackage.get(s.name) ?? { name: s.name, from: locked ?? "(new)", to: s.to.version, changes: [], risky: false };
    review.changes.push(...changes);
    review.risky ||= requiresConfirmation(changes);
    byPackage.set(s.name, review);
  }
  return [...byPackage.values()];
}

/**
 * Installs and updates that start programs (hooks, MCP servers) or grant an agent more power need a yes:
 * --yes, or a prompt on a terminal; otherwise exit 3. A dry run only reports them.
 */
export async function reviewPermissions(ctx: Context, plan: Plan, o: { yes: boolean; dryRun: boolean }, prompts?: ChangePrompts): Promise<Plan> {
  const permissions = await collect(ctx, plan);
  const risky = permissions.filter((c) => c.risky);
  if (risky.length > 0 && !o.yes && !o.dryRun && !(prompts && (await prompts.permissions(risky)))) {
    throw new AgentpkgError("E_PERMISSIONS", `${risky.length} ${risky.length > 1 ? "packages change" : "package changes"} what runs on this machine or what an agent may do, or bring text the audit flags; nothing was changed`, {
      details: permissionLines(risky),
      hint: "review the changes above, then re-run with --yes to apply them",
      data: { permissionChanges: risky },
    });
  }
  return { ...plan, permissions };
}
