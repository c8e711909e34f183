import { readAgentFile } from "../project/agents-dir.js";
import { lockedFiles, type Lockfile } from "../project/lockfile.js";
import { hashTargets } from "../project/targets.js";
import { applyMergePatch, patchPathFor } from "../project/patches.js";
import { scopeFile } from "../project/scope.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";
import type { Manifest } from "../project/manifest.js";
import { computePlan } from "../plan/compute-plan.js";
import { finishPlan, touchesLocalEdit, writesFile, type Plan, type Step } from "../plan/plan.js";
import { dict, sortedKeys } from "../util/json.js";
import { checkInstallable } from "./content.js";
import { eachPristine, StoredContents } from "./incoming.js";
import type { Context } from "./context.js";
import { checkNameClashes } from "./name-clash.js";

/**
 * The plan from the desired lock: diff it against the lock and the disk, and load every byte applying it
 * will need (new content, checked and put in the content store, where apply reads it back; local text
 * where a step meets a local edit). Nothing is fetched later.
 */
export async function preparePlan(ctx: Context, manifest: Manifest, desired: Lockfile, o: { restoreModified?: boolean } = {}): Promise<Plan> {
  const current = ctx.files.lock;
  const targets = new Set([...lockedFiles(desired, "the new lock").keys(), ...lockedFiles(current, "the lockfile").keys()]);
  const disk = hashTargets(ctx.scope, targets, ctx.statCache);
  // a file holding a version agentpkg installed before is outdated, not edited (a lock pulled from git)
  const steps = computePlan(desired, current, { hashes: disk, installedBefore: (sha) => ctx.store.hasSync(sha) }, o);
  // the local text is only needed where a step meets a local edit (diff stat, merge, backup)
  const local = new Map<string, Buffer>();
  for (const s of steps) {
    if (!touchesLocalEdit(s)) continue;
    const state = await readAgentFile(ctx.scope, s.file);
    if (state.kind === "present") local.set(s.file, state.content);
  }
  const incoming = new StoredContents(ctx.store);
  const nameFields = new Map<string, string | undefined>();
  const warnings = new Set(ctx.notes);
  const writing = steps.filter((s): s is Step & { op: "add" | "update" } => s.op !== "remove" && writesFile(s));
  // a file the lock records as a merge is written as that merge: its patch, applied to the pristine text
  const pristineOfMerges = new Map<string, Buffer>();
  await eachPristine(
    ctx,
    writing.map((s) => s.to),
    (i, content) => {
      const s = writing[i]!;
      incoming.set(s.file, s.to.sha256);
      if (s.to.localSha256) pristineOfMerges.set(s.file, content);
      if (s.kind !== "agent") return;
      // a plugin's agent is copied as published (Claude Code's own install copies it too): problems are warnings
      const checked = checkInstallable(s.name, s.to, content, { lenient: s.to.plugin !== undefined });
      for (const w of checked.warnings) warnings.add(w);
      nameFields.set(s.file, checked.nameField);
    },
  );
  await checkNameClashes(ctx, steps, nameFields);
  const merged = new Map<string, Buffer>();
  for (const s of writing) {
    const pristine = pristineOfMerges.get(s.file);
    if (!pristine || !s.to.localSha256) continue;
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
