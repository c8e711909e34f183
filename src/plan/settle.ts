// Local edits, decided: the pure half of DESIGN.md §5. src/change/local-edits.ts gathers the decisions
// (flags, prompts, merges); this applies them to the plan.
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { cloneLockfile, lockedFiles, setLockedFile, type Lockfile } from "../project/lockfile.js";
import { patchPathFor } from "../project/patches.js";
import { cloneManifest, type Manifest } from "../project/manifest.js";
import { finishPlan, touchesLocalEdit, type Baseline, type Conflict, type Plan, type Step } from "./plan.js";

/** What to do with files that differ from what agentpkg wrote. */
export type EditMode = "refuse" | "keep" | "force" | "merge" | "resolved" | "prompt";

export function editModeFrom(flags: { keep?: boolean; force?: boolean; merge?: boolean; resolved?: boolean }, interactive: boolean): EditMode {
  const chosen = (["keep", "force", "merge", "resolved"] as const).filter((k) => flags[k] === true);
  if (chosen.length > 1) throw new AgentpkgError("E_USAGE", `--${chosen.join(" and --")} cannot be combined`, { hint: "pick one way to handle local edits" });
  return chosen[0] ?? (interactive ? "prompt" : "refuse");
}

/**
 * How one local edit is settled: keep the file (and what the lock said of it), overwrite it (a backup is
 * saved), write a merge (clean, or the user's own after a conflict), or stop at a conflict.
 */
export type Decision =
  | { resolution: "keep" }
  | { resolution: "overwrite" }
  | { resolution: "merge"; text: Buffer; patch: Buffer }
  | { resolution: "conflict"; text: Buffer };

/** The project as it was before the command: keeping an added file restores its manifest entry. */
export interface Before extends Baseline {
  manifest: Manifest;
}

/**
 * Pure: the plan with every local edit settled as decided (a decision per step that touches one, by file).
 * Keeping a file keeps its old lock entry (and, for a new install, the old manifest entry); a merge is
 * written instead of the pristine text and recorded as the new version with the merge's hash.
 */
export function settle(plan: Plan, decisions: ReadonlyMap<string, Decision>, before: Before): Plan {
  const lock = cloneLockfile(plan.lock);
  const manifest = cloneManifest(plan.manifest);
  const merged = new Map(plan.merged);
  const patches = new Map(plan.patches);
  const conflicts: Conflict[] = [];
  const steps = plan.steps.map((step): Step => {
    const decision = touchesLocalEdit(step) ? decisions.get(step.file) : undefined;
    if (!decision) return step;
    if (decision.resolution === "keep") keep(step, lock, manifest, before);
    if (decision.resolution === "merge" && step.op === "update") {
      merged.set(step.file, decision.text);
      patches.set(patchPathFor(step.file), decision.patch);
      setLockedFile(lock, step.name, step.file, { ...step.to, localSha256: sha256(decision.text) });
    }
    if (decision.resolution === "conflict") conflicts.push({ name: step.name, file: step.file, conflictFile: `${step.file}.conflict`, text: decision.text });
    return { ...step, resolution: decision.resolution };
  });
  return { ...finishPlan(before, { ...plan, steps, lock, manifest, merged, patches }), conflicts };
}

/**
 * Pure: the patch files a plan must delete: those of files the lock recorded as merges that are merges no
 * more (overwritten, upgraded without a merge, removed). `before` is the lock the plan was made from.
 */
export function withPatchRemovals(plan: Plan, before: Lockfile): Plan {
  const after = lockedFiles(plan.lock, "the new lock");
  const patches = new Map(plan.patches);
  for (const [file, f] of lockedFiles(before, "the lockfile")) {
    const path = patchPathFor(file);
    if (f.localSha256 && !after.get(file)?.localSha256 && !patches.has(path)) patches.set(path, null);
  }
  return patches.size === plan.patches.size ? plan : { ...plan, patches };
}

/** --keep: the file stays, and so does what the lock and manifest said about it. */
function keep(step: Step, lock: Lockfile, manifest: Manifest, before: Before): void {
  if (step.op === "update") setLockedFile(lock, step.name, step.file, step.from);
  if (step.op === "add") {
    setLockedFile(lock, step.name, step.file, undefined);
    // an agent is its one file: keeping what is there instead also keeps the manifest as it was; a plugin's
    // other files are still installed
    if (step.to.plugin) return;
    if (Object.hasOwn(before.manifest.agents, step.name)) manifest.agents[step.name] = before.manifest.agents[step.name]!;
    else delete manifest.agents[step.name];
  }
}
