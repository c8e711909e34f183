import fs from "node:fs/promises";
import path from "node:path";
import { fsyncDir, writeFileAtomic, writeTemp } from "../util/atomic.js";
import { acquireLock } from "../util/process-lock.js";
import { writesFile } from "../plan/compute-plan.js";
import { serializeLockfile } from "../project/lockfile.js";
import { serializeManifest } from "../project/manifest.js";
import { projectFilesChanged, readProjectFiles } from "../project/state.js";
import { absFile, isNoop } from "./prepare.js";
import type { SettledPlan } from "./local-edits.js";
import type { Context } from "./context.js";

const LOCK_WAIT_MS = 15_000;

/** A backup name Claude Code never loads (`x.md.orig`, then `x.md.orig.2` ...): earlier backups are kept. */
async function freeBackupName(file: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? `${file}.orig` : `${file}.orig.${i}`;
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Apply a settled plan: stage every new file as a temp file first, then save backups, rename into
 * place, delete removed agents, and write the manifest and (last) the lockfile.
 * Returns the backups written, relative to the scope root.
 */
export async function applyPlan(ctx: Context, plan: SettledPlan): Promise<string[]> {
  const staged: { tmp: string; target: string }[] = [];
  const backups: string[] = [];
  await fs.mkdir(ctx.scope.agentsDir, { recursive: true });
  try {
    for (const step of plan.steps) {
      if (step.op === "remove" || !writesFile(step)) continue;
      const content = plan.merged.get(step.name) ?? plan.incoming.get(step.name);
      if (!content) throw new Error(`internal: no content staged for ${step.name}`);
      const target = absFile(ctx, step.to.file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      staged.push({ tmp: await writeTemp(target, content), target });
    }
    for (const step of plan.steps) {
      if (step.resolution !== "overwrite" || step.op === "remove" && step.local === "missing") continue;
      const local = plan.local.get(step.name);
      const file = step.op === "add" ? step.to.file : step.from.file;
      if (!local) continue;
      const backup = await freeBackupName(absFile(ctx, file));
      await writeFileAtomic(backup, local);
      backups.push(path.relative(ctx.scope.root, backup).split(path.sep).join("/"));
    }
  } catch (err) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    throw err;
  }
  for (const s of staged) await fs.rename(s.tmp, s.target);
  for (const step of plan.steps) {
    if (step.op === "remove" && step.resolution !== "keep" && step.local !== "missing") await fs.rm(absFile(ctx, step.from.file), { force: true });
  }
  await fsyncDir(ctx.scope.agentsDir);
  if (plan.manifestChanged) await writeFileAtomic(ctx.scope.manifestPath, serializeManifest(plan.manifest));
  if (plan.lockChanged) await writeFileAtomic(ctx.scope.lockPath, serializeLockfile(plan.lock));
  return backups;
}

/**
 * Plan, then apply under the scope's process lock. Planning runs unlocked (a dry run or a refused plan
 * never creates anything); if another process changed the manifest or lockfile meanwhile, plan again.
 */
export async function transact<P extends SettledPlan>(
  ctx: Context,
  build: (ctx: Context) => Promise<P>,
  o: { dryRun: boolean },
): Promise<{ plan: P; applied: boolean; backups: string[] }> {
  let plan = await build(ctx);
  if (o.dryRun || (isNoop(plan) && plan.conflicts.length === 0)) return { plan, applied: false, backups: [] };
  await fs.mkdir(ctx.scope.claudeDir, { recursive: true });
  const release = await acquireLock(ctx.scope.lockDir, Number(ctx.deps.env.AGENTPKG_LOCK_WAIT_MS ?? LOCK_WAIT_MS));
  try {
    if (await projectFilesChanged(ctx.files)) {
      ctx.files = await readProjectFiles(ctx.scope);
      plan = await build(ctx);
    }
    if (plan.conflicts.length > 0) {
      for (const c of plan.conflicts) await writeFileAtomic(absFile(ctx, c.conflictFile), c.text);
      return { plan, applied: false, backups: [] };
    }
    if (isNoop(plan)) return { plan, applied: false, backups: [] };
    return { plan, applied: true, backups: await applyPlan(ctx, plan) };
  } finally {
    await release();
  }
}
