// Local edits, gathered: every step that would overwrite or delete a file agentpkg did not write as-is gets
// a decision (from the flags, a merge, or a question); plan/settle.ts applies the decisions (DESIGN.md §5).
import { AgentpkgError } from "../util/errors.js";
import type { LockedFile } from "../project/lockfile.js";
import { makePatch } from "../project/patches.js";
import { touchesLocalEdit, type Plan, type Step } from "../plan/plan.js";
import { settle, type Decision, type EditMode } from "../plan/settle.js";
import { isCommitGone } from "../store/git-mirrors.js";
import { loadPristine } from "./content.js";
import type { Context } from "./context.js";
import type { ChangePrompts } from "./prompts.js";

/** The pristine text a local file is compared against: the locked version, or the incoming one for untracked files. */
async function baseOf(ctx: Context, plan: Plan, step: Step): Promise<Buffer> {
  if (step.op === "add") return plan.incoming.get(step.file) ?? Buffer.alloc(0);
  return loadPristine(ctx, step.from);
}

export async function describeEdit(ctx: Context, plan: Plan, step: Step): Promise<string> {
  if (step.local === "untracked") return `${step.file} (not installed by agentpkg)`;
  const local = plan.local.get(step.file)?.toString("utf8") ?? "";
  // loaded only when a local edit is met: the diff library is ~20 modules every install would initialise
  const { diffStat } = await import("../util/text-diff.js");
  const base = await baseOf(ctx, plan, step).catch((err: unknown) => {
    if (isCommitGone(err)) return undefined;
    throw err;
  });
  if (!base) return `${step.file} (modified; its installed version is gone from the registry, so no diff)`;
  const stat = diffStat(base.toString("utf8"), local);
  return `${step.file} (modified: +${stat.added} -${stat.removed})`;
}

const WAYS_OUT = "re-run with --keep (leave them as they are), --force (overwrite, saving a .orig backup), or --merge (three-way merge); see the edits with agentpkg diff";
const WAYS_OUT_DELETING = "re-run with --keep (leave them in place, untracked) or --force (delete them, saving a .orig backup); see the edits with agentpkg diff";

/**
 * Decide every step that would overwrite or delete a local edit; refuse (exit 3) when no way was chosen.
 * `prompts` (a terminal) is asked per file in "prompt" mode.
 */
export async function settleLocalEdits(ctx: Context, plan: Plan, mode: EditMode, prompts?: ChangePrompts): Promise<Plan> {
  const edited = plan.steps.filter(touchesLocalEdit);
  if (edited.length === 0) return plan;
  if (mode === "refuse" || (mode === "prompt" && !prompts)) {
    const lines = await Promise.all(edited.map((s) => describeEdit(ctx, plan, s)));
    throw new AgentpkgError("E_LOCAL_EDITS", `${edited.length} file${edited.length > 1 ? "s have" : " has"} local edits; nothing was changed`, {
      details: lines,
      hint: edited.every((s) => s.op === "remove") ? WAYS_OUT_DELETING : WAYS_OUT,
      data: { files: lines },
    });
  }
  const decisions = new Map<string, Decision>();
  for (const step of edited) decisions.set(step.file, await decide(ctx, plan, step, mode, prompts));
  return settle(plan, decisions, ctx.files);
}

async function decide(ctx: Context, plan: Plan, step: Step, mode: Exclude<EditMode, "refuse">, prompts?: ChangePrompts): Promise<Decision> {
  const mine = plan.local.get(step.file) ?? Buffer.alloc(0);
  if (mode === "resolved" && step.op === "update") {
    // the user merged by hand: their file, as it is, becomes the merge of the new version
    if (/^(<{7}|>{7}) /m.test(mine.toString("utf8"))) {
      throw new AgentpkgError("E_CONFLICT", `${step.file} still has conflict markers; nothing was changed`, {
        hint: `edit it into the text you want (the .conflict file shows both sides), then re-run with --resolved`,
      });
    }
    return { resolution: "merge", text: mine, patch: await makePatch(step.file, plan.incoming.get(step.file) ?? Buffer.alloc(0), mine) };
  }
  let resolution: "keep" | "overwrite" | "merge" =
    mode === "prompt" ? await ask(ctx, plan, step, prompts!) : mode === "force" ? "overwrite" : mode === "resolved" ? "keep" : mode;
  if (resolution === "merge" && step.op !== "update") {
    if (mode === "merge") {
      const why = step.op === "remove" ? "removing the agent leaves nothing to merge with" : "there is no installed version to merge with";
      throw new AgentpkgError("E_LOCAL_EDITS", `${await describeEdit(ctx, plan, step)}: ${why}`, { hint: "re-run with --keep or --force for this agent" });
    }
    resolution = "keep";
  }
  if (resolution === "merge" && step.op === "update") return merge(ctx, step.file, step.from, step.to, mine, plan.incoming.get(step.file) ?? Buffer.alloc(0));
  return { resolution: resolution === "merge" ? "keep" : resolution };
}

function ask(ctx: Context, plan: Plan, step: Step, prompts: ChangePrompts): Promise<"keep" | "overwrite" | "merge"> {
  return describeEdit(ctx, plan, step).then((summary) =>
    prompts.localEdit({
      step,
      summary,
      canMerge: step.op === "update",
      diff: async () => {
        const { unifiedDiff } = await import("../util/text-diff.js");
        const base = (await baseOf(ctx, plan, step)).toString("utf8");
        return unifiedDiff(base, plan.local.get(step.file)?.toString("utf8") ?? "", { oldLabel: "pristine", newLabel: "local" });
      },
    }),
  );
}

/** Three-way: base = the pristine installed version, ours = the local file, theirs = the new version. */
async function merge(ctx: Context, file: string, from: LockedFile, to: LockedFile, ours: Buffer, theirs: Buffer): Promise<Decision> {
  const base = (
    await loadPristine(ctx, from).catch((err: unknown) => {
      if (!isCommitGone(err)) throw err;
      throw new AgentpkgError("E_LOCAL_EDITS", `cannot merge ${file}: ${err.message}, and it is the merge base`, {
        cause: err,
        hint: "re-run with --keep (leave your file) or --force (take the new version, saving yours as .orig)",
      });
    })
  ).toString("utf8");
  const { mergeAgent } = await import("../agent/merge.js"); // diff3: only when merging
  const result = mergeAgent(base, ours.toString("utf8"), theirs.toString("utf8"), { ours: "local", base: from.version, theirs: to.version });
  const text = Buffer.from(result.text);
  return result.clean ? { resolution: "merge", text, patch: await makePatch(to.file, theirs, text) } : { resolution: "conflict", text };
}
