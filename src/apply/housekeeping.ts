import fs from "node:fs/promises";
import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import { tempNamePid } from "../util/atomic.js";
import { alive, lockState } from "../util/process-lock.js";
import { scopeFile, scopeRelative, type Scope } from "../project/scope.js";
import type { ContentStore } from "../store/cas.js";
import { hasJournal, recoverJournal, type Recovery } from "./journal.js";

export interface TempFile {
  /** relative to the scope root */
  file: string;
  /** the process that made it (from its name) */
  pid: number;
  /** a staged lock folder (the others are files) */
  folder: boolean;
  /** its process is gone: nobody will ever rename it into place */
  stale: boolean;
}

/** A lock folder being built aside (or removed) under this name: `.agentpkg-busy.<pid>.<hex>.agentpkg-tmp`. */
const isLockStage = (name: string) => name.startsWith(".agentpkg-busy.");

/**
 * Temp files (and staged lock folders) next to the files agentpkg writes: in .claude/, the scope root, and
 * below .claude's part folders. Only what agentpkg makes, by its exact name (`.<name>.<pid>.<8 hex>.agentpkg-tmp`):
 * regular files, and lock folders directly in .claude. A user's own `notes.agentpkg-tmp` folder (or file, or
 * symlink) is none of these, and is kept.
 */
export async function findTemps(scope: Scope): Promise<TempFile[]> {
  const out: TempFile[] = [];
  async function walk(dir: string, depth: number, recurse: boolean): Promise<void> {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const pid = tempNamePid(e.name);
      const ours = pid !== undefined && (e.isFile() || (e.isDirectory() && dir === scope.claudeDir && isLockStage(e.name)));
      if (ours) {
        const file = scopeRelative(scope, path.join(dir, e.name));
        out.push({ file, pid, stale: pid !== process.pid && !alive(pid), folder: e.isDirectory() });
      } else if (recurse && e.isDirectory() && depth < 8) await walk(path.join(dir, e.name), depth + 1, true);
    }
  }
  if (scope.root !== scope.claudeDir) await walk(scope.root, 0, false); // .mcp.json's temp files
  await walk(scope.claudeDir, 0, false);
  for (const dir of ["agents", "commands", "skills", "output-styles", "agentpkg"]) await walk(path.join(scope.claudeDir, dir), 0, true);
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/**
 * Whether an interrupted run left anything to finish or clean up: a journal, temp files of a dead process,
 * or a process lock its dead owner left behind (cheap: a stat or two and two readdirs).
 */
export async function needsTidy(scope: Scope): Promise<boolean> {
  if (await hasJournal(scope)) return true;
  if ((await lockState(scope.lockDir)).state === "stale") return true;
  return (await findTemps(scope)).some((t) => t.stale);
}

export interface Tidied {
  recovery?: Recovery;
  removedTemps: string[];
}

/**
 * Finish an interrupted apply (the journal), then delete temp files whose process is gone.
 * Only ever call this holding the scope's process lock.
 */
export async function tidyScope(scope: Scope, store?: ContentStore): Promise<Tidied> {
  const recovery = await recoverJournal(scope, store);
  const removedTemps: string[] = [];
  for (const t of await findTemps(scope)) {
    if (!t.stale) continue;
    await fs.rm(scopeFile(scope, t.file), { recursive: t.folder, force: true });
    removedTemps.push(t.file);
  }
  return { recovery, removedTemps };
}

/** One line per thing tidying did, for warnings and doctor. */
export function describeTidy(t: Tidied): string[] {
  const lines: string[] = [];
  const r = t.recovery;
  if (r?.invalid) lines.push("ignored and removed an invalid .claude/.agentpkg-journal.json");
  else if (r?.abandoned) lines.push("an interrupted run was not finished: the manifest or lockfile changed since; agent files were left as they are");
  else if (r) {
    lines.push(`finished an interrupted run (${r.completed.length} file${r.completed.length === 1 ? "" : "s"})`);
    for (const f of r.kept) lines.push(`${f} was edited since the interrupted run: left as it is, with its old lock entry`);
    for (const f of r.failed) lines.push(`${f.file} could not be written (${f.reason}): left at its old version, with its old lock entry`);
  }
  if (t.removedTemps.length) lines.push(`removed ${t.removedTemps.length} leftover temp file${t.removedTemps.length === 1 ? "" : "s"}`);
  return lines;
}
