import fs from "node:fs/promises";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { fsyncDir, writeFileAtomic, writeTemp } from "../util/atomic.js";
import { sha256 } from "../util/hash.js";
import { eachLimit } from "../util/each-limit.js";
import { acquireLock } from "../util/process-lock.js";
import { writesFile } from "../plan/compute-plan.js";
import { readAgentFile } from "../project/agents-dir.js";
import { assertScopeFolders, isInAgentsDir } from "../project/containment.js";
import { serializeLockfile } from "../project/lockfile.js";
import { serializeManifest } from "../project/manifest.js";
import { projectFilesChanged, readProjectFiles } from "../project/state.js";
import { absFile, isNoop } from "../change/prepare.js";
import { removeJournal, textSha, writeJournal, type JournalFile } from "./journal.js";
import { describeTidy, needsTidy, tidyScope } from "./housekeeping.js";
import type { SettledPlan } from "../change/local-edits.js";
import type { Context } from "../change/context.js";

const LOCK_WAIT_MS = 15_000;
const STAGE_PARALLEL = 16;

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

/** Every agent file the plan replaces or deletes, with what is on disk now and what it becomes. */
function journalFiles(ctx: Context, plan: SettledPlan, staged: Map<string, { tmp: string; sha: string }>): JournalFile[] {
  const files: JournalFile[] = [];
  for (const step of plan.steps) {
    const deletes = step.op === "remove" && step.resolution !== "keep" && step.local !== "missing";
    const s = staged.get(step.name);
    if (!s && !deletes) continue;
    const file = step.op === "remove" ? step.from.file : step.to.file;
    files.push({
      name: step.name,
      file,
      oldSha: plan.disk.get(file) ?? null,
      newSha: s ? s.sha : null,
      tmp: s ? path.relative(ctx.scope.root, s.tmp).split(path.sep).join("/") : null,
      oldEntry: ctx.files.lock.agents[step.name] ?? null,
    });
  }
  return files;
}

const UNWRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT"]);

/** A folder agentpkg cannot write to: one line naming the folder (not a temp file), nothing changed. */
function unwritable(ctx: Context, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof AgentpkgError || !e?.path || !UNWRITABLE.has(String(e.code))) return err;
  const dir = path.relative(ctx.scope.root, path.dirname(e.path)) || ".";
  const why = e.code === "ENOSPC" || e.code === "EDQUOT" ? "no space left" : e.code === "EROFS" ? "read-only file system" : "permission denied";
  return new AgentpkgError("E_IO", `cannot write in ${dir}: ${why}; nothing was changed`, { cause: err, hint: `check ${dir} (permissions, free space), then re-run` });
}

/** Nothing is written through a symlinked subfolder that leads out of the agents folder. */
async function assertInAgentsDir(ctx: Context, files: string[]): Promise<void> {
  for (const f of files) {
    if (!(await isInAgentsDir(ctx.scope, absFile(ctx, f)))) {
      throw new AgentpkgError("E_UNSAFE", `${f} leads outside .claude/agents (a symlinked folder); nothing was changed`, { hint: "replace the symlink with a real folder" });
    }
  }
}

/** A file edited between planning and now is never overwritten: the whole apply stops first. */
async function assertUnchanged(ctx: Context, files: JournalFile[]): Promise<void> {
  for (const f of files) {
    const state = await readAgentFile(ctx.scope, f.file);
    if ((state.kind === "present" ? state.sha256 : null) !== f.oldSha) {
      throw new AgentpkgError("E_LOCAL_EDITS", `${f.file} changed while agentpkg was working; nothing was changed`, { hint: "re-run the command" });
    }
  }
}

/**
 * Apply a settled plan, crash-safe: stage every new file, the manifest and the lockfile as temp files, save
 * backups, write the journal (what is about to change), rename agent files into place, delete removed
 * agents, rename the manifest and (last) the lockfile into place, then drop the journal. Killed at any
 * moment, each file is old or new, and the next run finishes from the journal. Returns the backups
 * written, relative to the scope root.
 */
export async function applyPlan(ctx: Context, plan: SettledPlan): Promise<string[]> {
  const staged = new Map<string, { tmp: string; sha: string }>();
  const backups: string[] = [];
  let files: JournalFile[] = [];
  const manifestText = plan.manifestChanged ? serializeManifest(plan.manifest) : null;
  const lockText = plan.lockChanged ? serializeLockfile(plan.lock) : null;
  // manifest, then lockfile (last): staged with the agent files so that all their fsyncs overlap
  const finals: ({ tmp: string; target: string } | undefined)[] = [];
  const stageFinal = async (slot: number, target: string, text: string | null) => {
    if (text !== null) finals[slot] = { tmp: await writeTemp(target, text), target };
  };
  mkdirSync(ctx.scope.agentsDir, { recursive: true });
  await assertInAgentsDir(ctx, plan.steps.map((s) => (s.op === "remove" ? s.from.file : s.to.file)));
  try {
    // STAGE_PARALLEL at a time: every temp file is fsynced, and overlapping those waits saves most of the time.
    // allSettled: after a failure, every temp file still being written is known (and removed) before throwing
    const stagedAll = await Promise.allSettled([
      stageFinal(0, ctx.scope.manifestPath, manifestText),
      stageFinal(1, ctx.scope.lockPath, lockText),
      eachLimit(plan.steps, STAGE_PARALLEL, async (step) => {
        if (step.op === "remove" || !writesFile(step)) return;
        const content = plan.merged.get(step.name) ?? plan.incoming.get(step.name);
        if (!content) throw new Error(`internal: no content staged for ${step.name}`);
        const target = absFile(ctx, step.to.file);
        mkdirSync(path.dirname(target), { recursive: true });
        staged.set(step.name, { tmp: await writeTemp(target, content), sha: sha256(content) });
      }),
    ]);
    const stagingFailed = stagedAll.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (stagingFailed) throw stagingFailed.reason;
    files = journalFiles(ctx, plan, staged);
    await assertUnchanged(ctx, files);
    for (const step of plan.steps) {
      if (step.resolution !== "overwrite" || step.op === "remove" && step.local === "missing") continue;
      const local = plan.local.get(step.name);
      const file = step.op === "add" ? step.to.file : step.from.file;
      if (!local) continue;
      const backup = await freeBackupName(absFile(ctx, file));
      await writeFileAtomic(backup, local);
      backups.push(path.relative(ctx.scope.root, backup).split(path.sep).join("/"));
    }
    await writeJournal(ctx.scope, {
      journalVersion: 1,
      manifestBefore: textSha(ctx.files.manifestText),
      lockBefore: textSha(ctx.files.lockText),
      manifest: manifestText,
      lock: plan.lockChanged ? plan.lock : null,
      files,
    });
  } catch (err) {
    const temps = [...[...staged.values()].map((s) => s.tmp), ...finals.flatMap((f) => (f ? [f.tmp] : []))];
    await Promise.all(temps.map((tmp) => fs.rm(tmp, { force: true })));
    throw unwritable(ctx, err);
  }
  // renames are synchronous: hundreds of them in a row, each far cheaper than a thread-pool round trip
  for (const f of files) {
    const target = absFile(ctx, f.file);
    if (f.tmp) renameSync(absFile(ctx, f.tmp), target);
    else rmSync(target, { force: true });
  }
  await fsyncDir(ctx.scope.agentsDir);
  for (const f of finals) if (f) renameSync(f.tmp, f.target);
  await fsyncDir(ctx.scope.claudeDir);
  await removeJournal(ctx.scope);
  return backups;
}

/**
 * Run `fn` holding the scope's process lock, after finishing whatever an interrupted run left behind
 * (journal, temp files). Returns what tidying did, as lines for warnings.
 */
export async function withProjectLock<T>(ctx: Context, fn: (tidied: string[]) => Promise<T>): Promise<T> {
  await assertScopeFolders(ctx.scope);
  const release = await fs.mkdir(ctx.scope.claudeDir, { recursive: true }).then(
    () => acquireLock(ctx.scope.lockDir, Number(ctx.deps.env.AGENTPKG_LOCK_WAIT_MS ?? LOCK_WAIT_MS)),
  ).catch((err: unknown) => {
    throw unwritable(ctx, err);
  });
  try {
    const tidied = describeTidy(await tidyScope(ctx.scope, ctx.store));
    if (tidied.length) ctx.files = await readProjectFiles(ctx.scope);
    return await fn(tidied);
  } finally {
    await release();
  }
}

/**
 * Plan, then apply under the scope's process lock. Planning runs unlocked (a dry run or a refused plan
 * never creates anything); if another process changed the manifest or lockfile meanwhile, plan again.
 * An interrupted earlier run is finished first, so its half-applied files are not taken for local edits.
 */
export async function transact<P extends SettledPlan>(
  ctx: Context,
  build: (ctx: Context) => Promise<P>,
  o: { dryRun: boolean },
): Promise<{ plan: P; applied: boolean; backups: string[] }> {
  const notes: string[] = [];
  if (!o.dryRun && (await needsTidy(ctx.scope))) notes.push(...(await withProjectLock(ctx, async (t) => t)));
  let plan = await build(ctx);
  const noted = (p: P): P => ({ ...p, warnings: [...notes, ...p.warnings] });
  if (o.dryRun && (await needsTidy(ctx.scope))) notes.push("an interrupted run left work to finish: the next command (or agentpkg doctor --fix) finishes it");
  if (o.dryRun || (isNoop(plan) && plan.conflicts.length === 0)) return { plan: noted(plan), applied: false, backups: [] };
  return withProjectLock(ctx, async (tidied) => {
    notes.push(...tidied);
    if (tidied.length || (await projectFilesChanged(ctx.files))) {
      ctx.files = await readProjectFiles(ctx.scope);
      plan = await build(ctx);
    }
    if (plan.conflicts.length > 0) {
      await assertInAgentsDir(ctx, plan.conflicts.map((c) => c.conflictFile));
      for (const c of plan.conflicts) await writeFileAtomic(absFile(ctx, c.conflictFile), c.text);
      return { plan: noted(plan), applied: false, backups: [] };
    }
    if (isNoop(plan)) return { plan: noted(plan), applied: false, backups: [] };
    return { plan: noted(plan), applied: true, backups: await applyPlan(ctx, plan) };
  });
}
