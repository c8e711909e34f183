import path from "node:path";
import { computePlan, writesFile, type DiskHashes, type Step } from "../plan/compute-plan.js";
import { readAgentFile } from "../project/agents-dir.js";
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
  /** current local content per agent name, for files that are present */
  local: Map<string, Buffer>;
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
  const disk = new Map<string, string | null>();
  const local = new Map<string, Buffer>();
  const files = new Map<string, string>();
  for (const [name, e] of [...Object.entries(desired), ...Object.entries(current)]) files.set(e.file, name);
  await Promise.all(
    [...files].map(async ([file, name]) => {
      const state = await readAgentFile(ctx.scope, file);
      disk.set(file, state.kind === "present" ? state.sha256 : null);
      if (state.kind === "present") local.set(name, state.content);
    }),
  );
  const steps = computePlan(desired, current, disk as DiskHashes, o);
  const incoming = new Map<string, Buffer>();
  const warnings: string[] = [];
  await Promise.all(
    steps.map(async (s) => {
      if (s.op === "remove" || !writesFile(s)) return;
      const content = await loadPristine(ctx, s.to);
      warnings.push(...checkInstallable(s.name, s.to, content));
      incoming.set(s.name, content);
    }),
  );
  await checkNameClashes(ctx, steps, incoming);
  const lock: Lockfile = { lockfileVersion: ctx.files.lock.lockfileVersion, agents: sortedEntries(desired) };
  return finishPlan(ctx, { steps, manifest, lock, incoming, local, merged: new Map(), warnings: warnings.sort() });
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
  const out: Record<string, LockEntry> = {};
  for (const name of Object.keys(entries).sort()) out[name] = entries[name]!;
  return out;
}

export function isNoop(p: PreparedPlan): boolean {
  return p.steps.length === 0 && !p.manifestChanged && !p.lockChanged;
}

export function absFile(ctx: Context, rel: string): string {
  return path.join(ctx.scope.root, ...rel.split("/"));
}
