import { scopeFile } from "../project/scope.js";
import { sortedKeys } from "../util/json.js";
import { computePlan, touchesLocalEdit, writesFile, type Step } from "../plan/compute-plan.js";
import { hashAgentFiles, readAgentFile } from "../project/agents-dir.js";
import { serializeLockfile, type LockEntry, type Lockfile } from "../project/lockfile.js";
import { serializeManifest, type Manifest } from "../project/manifest.js";
import { checkInstallable, loadPristine } from "./content.js";
import type { Context } from "./context.js";
import { checkNameClashes } from "./name-clash.js";

/** A plan with everything needed to apply it already in memory: nothing is fetched while writing. */
export interface PreparedPlan {
  steps: Step[];
  manifest: Manifest;
  lock: Lockfile;
  manifestChanged: boolean;
  lockChanged: boolean;
  /** new pristine content per agent name (add/update) */
  incoming: Map<string, Buffer>;
  /** current local content per agent name, for files a step meets as local edits */
  local: Map<string, Buffer>;
  /** sha256 of every file the plan looked at (relative path -> hash, null when missing) */
  disk: ReadonlyMap<string, string | null>;
  /** text to write per agent name when it is not the pristine content (merges) */
  merged: Map<string, Buffer>;
  warnings: string[];
}

/** Diff desired lock entries against the lock and disk, and load every byte the plan will need. */
export async function preparePlan(
  ctx: Context,
  manifest: Manifest,
  desired: Record<string, LockEntry>,
  o: { restoreModified?: boolean } = {},
): Promise<PreparedPlan> {
  const current = ctx.files.lock.agents;
  const files = new Set<string>();
  for (const e of [...Object.values(desired), ...Object.values(current)]) files.add(e.file);
  const disk = hashAgentFiles(ctx.scope, files, ctx.statCache);
  const steps = computePlan(desired, current, disk, o);
  // the local text is only needed where a step meets a local edit (diff stat, merge, backup)
  const local = new Map<string, Buffer>();
  for (const s of steps) {
    if (!touchesLocalEdit(s)) continue;
    const state = await readAgentFile(ctx.scope, s.op === "add" ? s.to.file : s.from.file);
    if (state.kind === "present") local.set(s.name, state.content);
  }
  const incoming = new Map<string, Buffer>();
  const nameFields = new Map<string, string | undefined>();
  const warnings: string[] = [];
  await Promise.all(
    steps.map(async (s) => {
      if (s.op === "remove" || !writesFile(s)) return;
      const content = await loadPristine(ctx, s.to);
      const checked = checkInstallable(s.name, s.to, content);
      warnings.push(...checked.warnings);
      nameFields.set(s.name, checked.nameField);
      incoming.set(s.name, content);
    }),
  );
  await checkNameClashes(ctx, steps, nameFields);
  const lock: Lockfile = { lockfileVersion: ctx.files.lock.lockfileVersion, agents: sortedEntries(desired) };
  return finishPlan(ctx, { steps, manifest, lock, incoming, local, disk, merged: new Map(), warnings: warnings.sort() });
}

/** Recompute the changed flags after steps or the lock were adjusted. */
export function finishPlan(ctx: Context, p: Omit<PreparedPlan, "manifestChanged" | "lockChanged">): PreparedPlan {
  const manifestText = serializeManifest(p.manifest);
  const lockText = serializeLockfile(p.lock);
  const emptyProject = Object.keys(p.manifest.agents).length === 0 && Object.keys(p.manifest.registries).length === 0;
  return {
    ...p,
    manifestChanged: ctx.files.manifestText === undefined ? !emptyProject : manifestText !== ctx.files.manifestText,
    lockChanged: ctx.files.lockText === undefined ? Object.keys(p.lock.agents).length > 0 || !emptyProject : lockText !== ctx.files.lockText,
  };
}

function sortedEntries(entries: Record<string, LockEntry>): Record<string, LockEntry> {
  const names = sortedKeys(entries);
  const out: Record<string, LockEntry> = {};
  for (const name of names) out[name] = entries[name]!;
  return out;
}

export function isNoop(p: PreparedPlan): boolean {
  return p.steps.length === 0 && !p.manifestChanged && !p.lockChanged;
}

export function absFile(ctx: Context, rel: string): string {
  return scopeFile(ctx.scope, rel);
}
