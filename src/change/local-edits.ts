import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import type { PromptFn } from "../util/deps.js";
import { touchesLocalEdit, type Resolution, type Step } from "../plan/compute-plan.js";
import { loadPristine } from "./content.js";
import { finishPlan, type PreparedPlan } from "./prepare.js";
import type { Context } from "./context.js";

/** What to do with files that differ from what agentpkg wrote (DESIGN.md §5). */
export type EditMode = "refuse" | "keep" | "force" | "merge" | "resolved" | "prompt";

export interface Conflict {
  name: string;
  file: string;
  conflictFile: string;
  text: Buffer;
}

export interface SettledPlan extends PreparedPlan {
  /** merges that conflicted: nothing is applied, only these files are written */
  conflicts: Conflict[];
}

export function editModeFrom(flags: { keep?: boolean; force?: boolean; merge?: boolean; resolved?: boolean }, interactive: boolean): EditMode {
  const chosen = (["keep", "force", "merge", "resolved"] as const).filter((k) => flags[k] === true);
  if (chosen.length > 1) throw new AgentpkgError("E_USAGE", `--${chosen.join(" and --")} cannot be combined`, { hint: "pick one way to handle local edits" });
  return chosen[0] ?? (interactive ? "prompt" : "refuse");
}

/** The pristine text a local file is compared against: the locked version, or the incoming one for untracked files. */
async function baseOf(ctx: Context, plan: PreparedPlan, step: Step): Promise<Buffer> {
  if (step.op === "add") return plan.incoming.get(step.name) ?? Buffer.alloc(0);
  return loadPristine(ctx, step.from);
}

export async function describeEdit(ctx: Context, plan: PreparedPlan, step: Step): Promise<string> {
  const file = step.op === "add" ? step.to.file : step.from.file;
  if (step.local === "untracked") return `${file} (not installed by agentpkg)`;
  const local = plan.local.get(step.name)?.toString("utf8") ?? "";
  // loaded only when a local edit is met: the diff library is ~20 modules every install would initialise
  const { diffStat } = await import("../util/text-diff.js");
  const stat = diffStat((await baseOf(ctx, plan, step)).toString("utf8"), local);
  return `${file} (modified: +${stat.added} -${stat.removed})`;
}

const WAYS_OUT = "re-run with --keep (leave them as they are), --force (overwrite, saving a .orig backup), or --merge (three-way merge); see the edits with agentpkg diff";

async function askPerFile(ctx: Context, plan: PreparedPlan, step: Step, prompt: PromptFn): Promise<Resolution> {
  for (;;) {
    const answer = await prompt(`${await describeEdit(ctx, plan, step)}: what now?`, [
      { key: "k", label: "keep mine" },
      { key: "o", label: "take theirs (save mine as .orig)" },
      ...(step.op === "update" ? [{ key: "m", label: "merge" }] : []),
      { key: "d", label: "show diff" },
    ]);
    if (answer === "k") return "keep";
    if (answer === "o") return "overwrite";
    if (answer === "m" && step.op === "update") return "merge";
    const base = (await baseOf(ctx, plan, step)).toString("utf8");
    const local = plan.local.get(step.name)?.toString("utf8") ?? "";
    const { colorizeDiff, unifiedDiff } = await import("../util/text-diff.js");
    const diff = unifiedDiff(base, local, { oldLabel: "pristine", newLabel: "local" });
    ctx.deps.io.err(diff ? (ctx.deps.io.color ? colorizeDiff(diff) : diff) : "(no textual difference)");
  }
}

/**
 * Decide every step that would overwrite or delete a local edit; refuse (exit 3) when no way was chosen.
 * Keeping a file keeps its old lock entry; merging records the new version with the merged file's hash.
 */
export async function settleLocalEdits(ctx: Context, plan: PreparedPlan, mode: EditMode): Promise<SettledPlan> {
  const edited = plan.steps.filter(touchesLocalEdit);
  if (edited.length === 0) return { ...plan, conflicts: [] };
  if (mode === "refuse" || (mode === "prompt" && !ctx.deps.prompt)) {
    const lines = await Promise.all(edited.map((s) => describeEdit(ctx, plan, s)));
    throw new AgentpkgError("E_LOCAL_EDITS", `${edited.length} agent file${edited.length > 1 ? "s have" : " has"} local edits; nothing was changed`, {
      details: lines,
      hint: WAYS_OUT,
      data: { files: lines },
    });
  }
  const lock = { ...plan.lock, agents: { ...plan.lock.agents } };
  const manifest = { ...plan.manifest, agents: { ...plan.manifest.agents } };
  const merged = new Map(plan.merged);
  const conflicts: Conflict[] = [];
  const steps: Step[] = [];
  for (const step of plan.steps) {
    if (!touchesLocalEdit(step)) {
      steps.push(step);
      continue;
    }
    if (mode === "resolved" && step.op === "update") {
      // the user merged by hand: their file, as it is, becomes the merge of the new version
      const mine = plan.local.get(step.name) ?? Buffer.alloc(0);
      if (/^(<{7}|>{7}) /m.test(mine.toString("utf8"))) {
        throw new AgentpkgError("E_CONFLICT", `${step.from.file} still has conflict markers; nothing was changed`, {
          hint: `edit it into the text you want (the .conflict file shows both sides), then re-run with --resolved`,
        });
      }
      merged.set(step.name, mine);
      lock.agents[step.name] = { ...step.to, localSha256: sha256(mine) };
      steps.push({ ...step, resolution: "merge" });
      continue;
    }
    let resolution: Resolution =
      mode === "prompt" ? await askPerFile(ctx, plan, step, ctx.deps.prompt!) : mode === "force" ? "overwrite" : mode === "resolved" ? "keep" : mode;
    if (resolution === "merge" && step.op !== "update") {
      if (mode === "merge") {
        const why = step.op === "remove" ? "removing the agent leaves nothing to merge with" : "there is no installed version to merge with";
        throw new AgentpkgError("E_LOCAL_EDITS", `${await describeEdit(ctx, plan, step)}: ${why}`, {
          hint: "re-run with --keep or --force for this agent",
        });
      }
      resolution = "keep";
    }
    if (resolution === "keep") keepStep(ctx, step, lock.agents, manifest.agents);
    if (resolution === "merge" && step.op === "update") {
      const base = (await loadPristine(ctx, step.from)).toString("utf8");
      const ours = plan.local.get(step.name)?.toString("utf8") ?? "";
      const theirs = plan.incoming.get(step.name)?.toString("utf8") ?? "";
      const { mergeAgent } = await import("../agent/merge.js"); // gray-matter + diff3: only when merging
      const result = mergeAgent(base, ours, theirs, { ours: "local", base: step.from.version, theirs: step.to.version });
      const text = Buffer.from(result.text);
      if (!result.clean) conflicts.push({ name: step.name, file: step.from.file, conflictFile: `${step.from.file}.conflict`, text });
      else {
        merged.set(step.name, text);
        lock.agents[step.name] = { ...step.to, localSha256: sha256(text) };
      }
    }
    steps.push({ ...step, resolution } as Step);
  }
  return { ...finishPlan(ctx, { ...plan, steps, lock, manifest, merged }), conflicts };
}

/** --keep: the file stays, and so does what the lock and manifest said about it. */
function keepStep(ctx: Context, step: Step, lockAgents: Record<string, import("../project/lockfile.js").LockEntry>, deps: Record<string, import("../project/manifest.js").Dependency>): void {
  const before = ctx.files;
  if (step.op === "update") lockAgents[step.name] = step.from;
  if (step.op === "add") {
    delete lockAgents[step.name];
    if (Object.hasOwn(before.manifest.agents, step.name)) deps[step.name] = before.manifest.agents[step.name]!;
    else delete deps[step.name];
  }
}
