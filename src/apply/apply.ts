import fs from "node:fs/promises";
import { lstatSync, mkdirSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { fsyncDir, modeOf, writeFileAtomic, writeTemp } from "../util/atomic.js";
import { sha256 } from "../util/hash.js";
import { eachLimit } from "../util/each-limit.js";
import { writesFile, type Conflict, type Plan } from "../plan/plan.js";
import { readAgentFile } from "../project/agents-dir.js";
import { isInScope } from "../project/containment.js";
import { serializeLockfile } from "../project/lockfile.js";
import { serializeManifest } from "../project/manifest.js";
import { scopeFile, scopeRelative, type Scope } from "../project/scope.js";
import type { Progress } from "../util/progress.js";
import type { ProjectFiles } from "../project/state.js";
import { removeJournal, textSha, writeJournal, type JournalFile } from "./journal.js";
import { applyFailed, unwritable } from "./io-error.js";
import { FileSwaps, SwapError } from "./swap.js";
import { patchWrites, sharedWrites, type SharedWrite } from "./shared-files.js";
import { splitTarget } from "../project/targets.js";

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

/**
 * The mode a staged file gets: an executable (a plugin's script) gets x wherever it can be read, anything else
 * loses x; a file being replaced keeps its other bits (a 0600 agent stays 0600), a new one is 0644 or 0755.
 * `absent`: the plan found no file there, so it is not looked up again.
 */
export function stagedMode(target: string, executable: boolean, absent = false): number {
  const now = absent ? undefined : modeOf(target);
  if (now === undefined) return executable ? 0o755 : 0o644;
  return executable ? now | ((now & 0o444) >> 2) : now & ~0o111;
}

const relPath = (scope: Scope, abs: string): string => scopeRelative(scope, abs);

/**
 * Every file the plan replaces or deletes, with what is on disk now and what it becomes; shared files
 * (their entries changed) under the name "" (the lock has no record of them).
 */
function journalFiles(scope: Scope, plan: Plan, staged: Map<string, { tmp: string; sha: string }>, shared: readonly SharedWrite[]): JournalFile[] {
  const files: JournalFile[] = [];
  const entry = (name: string, file: string, oldSha: string | null) => {
    const s = staged.get(file);
    files.push({ name, file, oldSha, newSha: s ? s.sha : null, tmp: s ? relPath(scope, s.tmp) : null });
  };
  for (const step of plan.steps) {
    if (splitTarget(step.file)) continue;
    const deletes = step.op === "remove" && step.resolution !== "keep" && step.local !== "missing";
    if (staged.has(step.file) || deletes) entry(step.name, step.file, plan.disk.get(step.file) ?? null);
  }
  for (const w of shared) entry("", w.host, w.oldSha);
  return files;
}

/** Nothing is written through a symlinked subfolder that leads out of the scope's .claude folder. */
async function assertInScope(scope: Scope, files: string[]): Promise<void> {
  const checked = new Set<string>(); // whether a file is in scope depends on its folder only
  for (const f of files) {
    const abs = scopeFile(scope, f);
    if (checked.has(path.dirname(abs))) continue;
    checked.add(path.dirname(abs));
    if (!(await isInScope(scope, abs))) {
      throw new AgentpkgError("E_UNSAFE", `${f} leads outside .claude (a symlinked folder); nothing was changed`, { hint: "replace the symlink with a real folder" });
    }
  }
}

/** A file edited between planning and now is never overwritten: the whole apply stops first. */
async function assertUnchanged(scope: Scope, files: JournalFile[]): Promise<void> {
  for (const f of files) {
    const state = await readAgentFile(scope, f.file);
    if ((state.kind === "present" ? state.sha256 : null) !== f.oldSha) {
      throw new AgentpkgError("E_LOCAL_EDITS", `${f.file} changed while agentpkg was working; nothing was changed`, { hint: "re-run the command" });
    }
  }
}

/** Merges that conflicted: the merged text with markers goes next to each file; nothing else is written. */
export async function writeConflicts(scope: Scope, conflicts: readonly Conflict[]): Promise<void> {
  await assertInScope(scope, conflicts.map((c) => c.conflictFile));
  for (const c of conflicts) await writeFileAtomic(scopeFile(scope, c.conflictFile), c.text);
}

/**
 * After an applied change: the `<file>.conflict` an earlier conflicted merge left next to each file it
 * touched is settled now (merged by hand with --resolved, kept, overwritten or removed), so it goes.
 * Returns the ones removed.
 */
export function removeSettledConflicts(scope: Scope, plan: Plan): string[] {
  const removed: string[] = [];
  for (const s of plan.steps) {
    if (splitTarget(s.file) || s.resolution === "conflict") continue;
    const file = `${s.file}.conflict`;
    try {
      if (!lstatSync(scopeFile(scope, file), { throwIfNoEntry: false })?.isFile()) continue;
      rmSync(scopeFile(scope, file));
      removed.push(file);
    } catch {
      continue; // none there
    }
  }
  return removed;
}

/**
 * Apply a settled plan (under the project lock), crash-safe: stage every new file, the manifest and the
 * lockfile as temp files, save backups, write the journal (what is about to change), put files in place,
 * delete removed ones, put the manifest and (last) the lockfile in place, then drop the journal. Killed at
 * any moment, each file is old or new, and the next run finishes from the journal. An error while putting
 * files in place (an immutable file, a full disk) puts back every file already changed, so the project is as
 * it was, and names the file. `before` is the project as the plan was made from. Returns the backups
 * written, relative to the scope root.
 */
export async function applyPlan(scope: Scope, before: ProjectFiles, plan: Plan, progress?: Progress): Promise<string[]> {
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
  let toStage = 0;
  const folders = new Set<string>(); // each made once, not once per file
  const stage = async (file: string, content: string | Buffer, executable: boolean) => {
    progress?.update(`writing files: ${staged.size + 1}/${toStage}`);
    const target = scopeFile(scope, file);
    if (!folders.has(path.dirname(target))) {
      mkdirSync(path.dirname(target), { recursive: true });
      folders.add(path.dirname(target));
    }
    // a file the plan found absent is not looked up again for its mode (assertUnchanged checks it still is)
    const mode = stagedMode(target, executable, plan.disk.get(file) === null);
    staged.set(file, { tmp: await writeTemp(target, content, mode), sha: sha256(content) });
  };
  const temps = () => [...[...staged.values()].map((s) => s.tmp), ...finals.flatMap((f) => (f ? [f.tmp] : []))];
  const dropTemps = () => {
    for (const tmp of [...temps(), ...backups.map((b) => scopeFile(scope, b))]) rmSync(tmp, { force: true });
  };
  const shared = [...sharedWrites(scope, plan), ...patchWrites(scope, plan)];
  toStage = plan.steps.filter((s) => s.op !== "remove" && writesFile(s) && !splitTarget(s.file)).length + shared.filter((w) => w.text !== undefined).length;
  await assertInScope(scope, [...plan.steps.filter((s) => !splitTarget(s.file)).map((s) => s.file), ...shared.map((w) => w.host)]);
  try {
    // STAGE_PARALLEL at a time: every temp file is fsynced, and overlapping those waits saves most of the time.
    // allSettled: after a failure, every temp file still being written is known (and removed) before throwing
    const stagedAll = await Promise.allSettled([
      stageFinal(0, scope.manifestPath, manifestText),
      stageFinal(1, scope.lockPath, lockText),
      eachLimit(plan.steps, STAGE_PARALLEL, async (step) => {
        if (step.op === "remove" || !writesFile(step) || splitTarget(step.file)) return;
        const content = plan.merged.get(step.file) ?? plan.incoming.get(step.file);
        if (!content) throw new Error(`internal: no content staged for ${step.file}`);
        await stage(step.file, content, step.to.executable === true);
      }),
      eachLimit(shared, STAGE_PARALLEL, async (w) => {
        if (w.text !== undefined) await stage(w.host, w.text, false);
      }),
    ]);
    const stagingFailed = stagedAll.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (stagingFailed) throw stagingFailed.reason;
    files = journalFiles(scope, plan, staged, shared);
    await assertUnchanged(scope, files);
    const backedUp = new Set<string>();
    for (const step of plan.steps) {
      if (step.resolution !== "overwrite") continue;
      // an entry in a shared file: the whole file is saved (once), before agentpkg rewrites it
      const file = splitTarget(step.file)?.host ?? step.file;
      const local = file === step.file ? plan.local.get(file) : await fs.readFile(scopeFile(scope, file)).catch(() => undefined);
      if (!local || backedUp.has(file)) continue;
      backedUp.add(file);
      const backup = await freeBackupName(scopeFile(scope, file));
      await writeFileAtomic(backup, local, { mode: modeOf(scopeFile(scope, file)) }); // a 0600 file's copy stays 0600
      backups.push(relPath(scope, backup));
    }
    await writeJournal(scope, {
      journalVersion: 1,
      manifestBefore: textSha(before.manifestText),
      lockBefore: textSha(before.lockText),
      manifest: manifestText,
      lock: plan.lockChanged ? plan.lock : null,
      previousLock: before.lock,
      files,
    });
  } catch (err) {
    dropTemps();
    throw unwritable(scope, err);
  }
  // swaps are synchronous: hundreds of them in a row, each far cheaper than a thread-pool round trip
  const swaps = new FileSwaps();
  const dirs = new Set(files.map((f) => path.dirname(scopeFile(scope, f.file))));
  try {
    for (const f of files) swaps.put(scopeFile(scope, f.file), f.tmp ? scopeFile(scope, f.tmp) : null);
    for (const dir of dirs) await fsyncDir(dir);
    for (const f of finals) if (f) swaps.put(f.target, f.tmp);
  } catch (err) {
    if (!(err instanceof SwapError)) throw err;
    const stuck = swaps.rollback();
    if (stuck.length === 0) {
      // the project is as it was: nothing for the journal to finish
      dropTemps();
      await removeJournal(scope);
    }
    for (const dir of dirs) await fsyncDir(dir);
    throw applyFailed(scope, err.file, err.error, stuck);
  }
  await fsyncDir(scope.claudeDir);
  await removeJournal(scope);
  swaps.commit();
  // after the old copies are gone: until then a folder a removed file leaves is not empty
  pruneEmptyDirs(scope, files.filter((f) => f.newSha === null).map((f) => f.file));
  return backups;
}

/** Folders that removing files left empty (a plugin's skill or command folder) go too, up to .claude itself. */
function pruneEmptyDirs(scope: Scope, removed: readonly string[]): void {
  const stop = path.resolve(scope.claudeDir);
  for (const file of removed) {
    for (let dir = path.dirname(scopeFile(scope, file)); dir.startsWith(stop + path.sep); dir = path.dirname(dir)) {
      try {
        rmdirSync(dir); // fails (and stops) on a folder that still holds anything
      } catch {
        break;
      }
    }
  }
}
