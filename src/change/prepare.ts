import { readAgentFile } from "../project/agents-dir.js";
import { lockedFiles, type Lockfile } from "../project/lockfile.js";
import { hashTargets } from "../project/targets.js";
import { applyMergePatch, patchPathFor } from "../project/patches.js";
import { scopeFile } from "../project/scope.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";
import type { Manifest } from "../project/manifest.js";
import { computePlan } from "../plan/compute-plan.js";
import { finishPlan, touchesLocalEdit, writesFile, type Plan } from "../plan/plan.js";
import { dict, sortedKeys } from "../util/json.js";
import { checkInstallable, loadPristine } from "./content.js";
import type { Context } from "./context.js";
import { checkNameClashes } from "./name-clash.js";

/**
 * The plan from the desired lock: diff it against the lock and the disk, and load every byte applying it
 * will need (new content, checked; local text where a step meets a local edit). Nothing is fetched later.
 */
export async function preparePlan(ctx: Context, manifest: Manifest, desired: Lockfile, o: { restoreModified?: boolean } = {}): Promise<Plan> {
  const current = ctx.files.lock;
  const targets = new Set([...lockedFiles(desired, "the new lock").keys(), ...lockedFiles(current, "the lockfile").keys()]);
  const disk = hashTargets(ctx.scope, targets, ctx.statCache);
  const steps = computePlan(desired, current, disk, o);
  // the local text is only needed where a step meets a local edit (diff stat, merge, backup)
  const local = new Map<string, Buffer>();
  for (const s of steps) {
    if (!touchesLocalEdit(s)) continue;
    const state = await readAgentFile(ctx.scope, s.file);
    if (state.kind === "present") local.set(s.file, state.content);
  }
  const incoming = new Map<string, Buffer>();
  const nameFields = new Map<string, string | undefined>();
  const warnings = new Set(ctx.notes);
  await Promise.all(
    steps.map(async (s) => {
      if (s.op === "remove" || !writesFile(s)) return;
      const content = await loadPristine(ctx, s.to);
      incoming.set(s.file, content);
      if (s.kind !== "agent") return;
      // a plugin's agent is copied as published (Claude Code's own install copies it too): problems are warnings
      const checked = checkInstallable(s.name, s.to, content, { lenient: s.to.plugin !== undefined });
      for (const w of checked.warnings) warnings.add(w);
      nameFields.set(s.file, checked.nameField);
    }),
  );
  await checkNameClashes(ctx, steps, nameFields);
  // a file the lock records as a merge is written as that merge: its patch, applied to the pristine text
  const merged = new Map<string, Buffer>();
  for (const s of steps) {
    const pristine = incoming.get(s.file);
    if (s.op === "remove" || !pristine || !s.to.localSha256) continue;
    const patch = readRegularFileIfExists(scopeFile(ctx.scope, patchPathFor(s.file)), { limit: READ_LIMITS.projectFile, display: patchPathFor(s.file) });
    merged.set(s.file, await applyMergePatch(s.file, pristine, patch, s.to.localSha256));
  }
  const lock: Lockfile = { ...desired, lockfileVersion: current.lockfileVersion, agents: sortedEntries(desired.agents) };
  return finishPlan(ctx.files, { steps, manifest, lock, incoming, local, disk, merged, conflicts: [], patches: new Map(), permissions: [], warnings: [...warnings].sort() });
}

function sortedEntries<T>(entries: Record<string, T>): Record<string, T> {
  const out = dict<T>();
  for (const name of sortedKeys(entries)) out[name] = entries[name]!;
  return out;
}
