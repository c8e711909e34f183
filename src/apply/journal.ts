import fs from "node:fs/promises";
import { lstatSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { TEMP_SUFFIX, writeFileAtomic } from "../util/atomic.js";
import { READ_LIMITS, readRegularFileIfExists, tryReadRegularFile } from "../util/safe-read.js";
import { sha256, SHA256_RE } from "../util/hash.js";
import { isPlainObject, stripBom } from "../util/json.js";
import { readAgentFile } from "../project/agents-dir.js";
import { cloneLockfile, emptyLockfile, lockedFiles, parseLockfile, serializeLockfile, setLockedFile, type Lockfile } from "../project/lockfile.js";
import { parseManifest } from "../project/manifest.js";
import { displayPath, scopeFile, scopeRelative, type Scope } from "../project/scope.js";
import { isInScope, isProjectTarget } from "../project/containment.js";
import type { ContentStore } from "../store/cas.js";
import { AgentpkgError } from "../util/errors.js";
import { ioReason } from "./io-error.js";
import { realSwapFs } from "./swap.js";

/**
 * The intent of one multi-file apply, written (atomically) before the first agent file is replaced and
 * deleted after the lockfile is written. If agentpkg dies in between, the next run rolls it forward.
 */
export interface Journal {
  journalVersion: 1;
  /** sha256 of the manifest / lockfile text before the apply (null: no file) */
  manifestBefore: string | null;
  lockBefore: string | null;
  /** the manifest text and lockfile to write (null: left as they are) */
  manifest: string | null;
  lock: Lockfile | null;
  /** the lock before the apply: a file found edited since keeps what it said of that file */
  previousLock: Lockfile | null;
  files: JournalFile[];
}

export interface JournalFile {
  name: string;
  /** the agent file, relative to the scope root */
  file: string;
  /** sha256 of the file on disk when the plan was made (null: absent) */
  oldSha: string | null;
  /** sha256 of the new content (null: the file is deleted) */
  newSha: string | null;
  /** the staged new content, relative to the scope root */
  tmp: string | null;
}

export interface Recovery {
  /** files set to the content the interrupted run meant to write (or deleted) */
  completed: string[];
  /** files edited since: left alone, with their old lock entries */
  kept: string[];
  /** files that could not be written (an immutable file, a full disk): left as they were, with their old lock entries */
  failed: { file: string; reason: string }[];
  /** the manifest or lockfile changed since the interruption: the journal was dropped, files left as they are */
  abandoned: boolean;
  /** the journal was not one agentpkg wrote (or is damaged): dropped, nothing else touched */
  invalid: boolean;
}

export function journalPath(scope: Scope): string {
  return path.join(scope.claudeDir, ".agentpkg-journal.json");
}

export function textSha(text: string | undefined): string | null {
  return text === undefined ? null : sha256(text);
}

export async function writeJournal(scope: Scope, j: Journal): Promise<void> {
  await writeFileAtomic(journalPath(scope), journalText(j));
}

/**
 * The journal's JSON a field at a time: with thousands of agents, its two locks and its files are each
 * megabytes, and one string of them all (and its bytes) was the largest allocation of an apply.
 */
function* journalText(j: Journal): Generator<string> {
  let sep = "{\n";
  for (const [key, value] of Object.entries(j)) {
    if (value === undefined) continue; // as JSON.stringify leaves it out
    yield `${sep}  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    sep = ",\n";
  }
  yield "\n}\n";
}

/**
 * Not followed by a folder fsync: everything the journal describes is durable by now, so a journal that
 * survives a power cut only makes the next run finish the same work again (recovery is idempotent).
 */
export async function removeJournal(scope: Scope): Promise<void> {
  rmSync(journalPath(scope), { force: true });
}

/** Whatever sits at the journal's path counts (recoverJournal refuses one that is not a regular file). */
export async function hasJournal(scope: Scope): Promise<boolean> {
  try {
    lstatSync(journalPath(scope));
    return true;
  } catch {
    return false;
  }
}

/** A project file as recovery reads it: a device, pipe or folder there is refused, never read. */
function readProjectFile(scope: Scope, file: string): Buffer | undefined {
  return readRegularFileIfExists(file, { limit: READ_LIMITS.projectFile, display: displayPath(scope, file) });
}

const shaOrNull = (v: unknown): v is string | null => v === null || (typeof v === "string" && SHA256_RE.test(v));

/** A staged temp must sit next to its target and carry the temp suffix: a journal never points elsewhere. */
function isTempFor(tmp: string, file: string): boolean {
  const prefix = `${path.posix.dirname(file)}/.${path.posix.basename(file)}.`;
  return tmp.startsWith(prefix) && tmp.endsWith(TEMP_SUFFIX) && /^\d+\.[0-9a-f]+$/.test(tmp.slice(prefix.length, -TEMP_SUFFIX.length));
}

/** Parse and check a journal strictly: it lives in the project, so it is input like any other (`global`: the user scope's). */
export function parseJournal(text: string, global = false): Journal | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(raw) || raw.journalVersion !== 1 || !Array.isArray(raw.files)) return undefined;
  if (!shaOrNull(raw.manifestBefore) || !shaOrNull(raw.lockBefore)) return undefined;
  if (raw.manifest !== null && typeof raw.manifest !== "string") return undefined;
  try {
    if (typeof raw.manifest === "string") parseManifest(raw.manifest, "journal manifest");
    const asLock = (v: unknown) => (v === null || v === undefined ? null : parseLockfile(serializeLockfile({ ...emptyLockfile(), ...(v as Lockfile) }), "journal lock", { global }));
    const lock = asLock(raw.lock);
    // a journal of agentpkg 0.1 kept each file's old lock entry with the file (agents only)
    const oldEntries = (raw.files as unknown[]).map((f) => (isPlainObject(f) && typeof f.name === "string" && isPlainObject(f.oldEntry) ? [f.name, f.oldEntry] : []));
    const previousLock = raw.previousLock !== undefined ? asLock(raw.previousLock) : asLock({ lockfileVersion: 1, agents: Object.fromEntries(oldEntries.filter((e) => e.length)) });
    const files: JournalFile[] = [];
    for (const f of raw.files as unknown[]) {
      if (!isPlainObject(f) || typeof f.name !== "string" || typeof f.file !== "string" || !isProjectTarget(f.file, global)) return undefined;
      if (!shaOrNull(f.oldSha) || !shaOrNull(f.newSha)) return undefined;
      if (f.tmp !== null && (typeof f.tmp !== "string" || !isTempFor(f.tmp, f.file))) return undefined;
      files.push({ name: f.name, file: f.file, oldSha: f.oldSha, newSha: f.newSha, tmp: f.tmp as string | null });
    }
    return { journalVersion: 1, manifestBefore: raw.manifestBefore, lockBefore: raw.lockBefore, manifest: raw.manifest as string | null, lock, previousLock, files };
  } catch {
    return undefined;
  }
}

const abs = (scope: Scope, rel: string) => scopeFile(scope, rel);

/** The staged content, if it is still there and intact; else the pristine copy in the store. */
async function newContent(scope: Scope, f: JournalFile, store: ContentStore | undefined): Promise<{ tmp?: string; data?: Buffer } | undefined> {
  if (f.tmp) {
    const staged = tryReadRegularFile(abs(scope, f.tmp), { limit: READ_LIMITS.localAgent, noFollow: true });
    if (staged.ok && sha256(staged.data) === f.newSha) return { tmp: abs(scope, f.tmp) };
  }
  const stored = f.newSha && store ? await store.get(f.newSha) : undefined;
  return stored ? { data: stored } : undefined;
}

/**
 * Finish an interrupted apply (call only under the scope's process lock). Every file still as it was
 * planned (old content) or already new is set to the new content; a file with any other content is a
 * local edit made since: it is left alone and keeps its old lock entry. Then the manifest and lockfile
 * are written and the journal removed. Idempotent: a crash during recovery is recovered the same way.
 */
export async function recoverJournal(scope: Scope, store?: ContentStore): Promise<Recovery | undefined> {
  const text = readProjectFile(scope, journalPath(scope));
  if (text === undefined) return undefined;
  const result: Recovery = { completed: [], kept: [], failed: [], abandoned: false, invalid: false };
  const j = parseJournal(text.toString("utf8"), scope.global);
  if (!j || !(await allInScope(scope, j))) {
    result.invalid = true;
    await removeJournal(scope);
    return result;
  }
  const manifestNow = readProjectFile(scope, scope.manifestPath);
  const lockNow = readProjectFile(scope, scope.lockPath);
  const lockAfter = j.lock ? sha256(serializeLockfile(j.lock)) : j.lockBefore;
  const manifestAfter = j.manifest !== null ? sha256(j.manifest) : j.manifestBefore;
  // as readProjectFiles reads them (without a byte order mark), which is what the journal's hashes are of
  const m = manifestNow === undefined ? null : sha256(stripBom(manifestNow.toString("utf8")));
  const l = lockNow === undefined ? null : sha256(stripBom(lockNow.toString("utf8")));
  if ((m !== j.manifestBefore && m !== manifestAfter) || (l !== j.lockBefore && l !== lockAfter)) {
    result.abandoned = true;
    await dropTemps(scope, j);
    await removeJournal(scope);
    return result;
  }
  const lock: Lockfile | null = j.lock ? cloneLockfile(j.lock) : null;
  const before = j.previousLock ? lockedFiles(j.previousLock, "the journal") : new Map();
  for (const f of j.files) {
    const state = await readAgentFile(scope, f.file);
    const disk = state.kind === "present" ? state.sha256 : null;
    if (disk === f.newSha) {
      result.completed.push(f.file);
      continue;
    }
    const keepOld = () => {
      if (lock) setLockedFile(lock, f.name, f.file, before.get(f.file));
    };
    const content = disk === f.oldSha ? (f.newSha === null ? {} : await newContent(scope, f, store)) : undefined;
    if (content === undefined) {
      result.kept.push(f.file);
      keepOld();
      continue;
    }
    const target = abs(scope, f.file);
    try {
      if (f.newSha === null) realSwapFs.rm(target);
      else if (content.tmp) renameSync(content.tmp, target);
      else await writeFileAtomic(target, content.data!);
    } catch (err) {
      // the file is still as it was: it keeps its old lock entry, and the rest of the change goes ahead
      result.failed.push({ file: f.file, reason: ioReason(err) ?? String((err as Error)?.message ?? err).split("\n")[0]! });
      keepOld();
      continue;
    }
    result.completed.push(f.file);
  }
  await dropTemps(scope, j);
  for (const [file, text] of [
    [scope.manifestPath, j.manifest],
    [scope.lockPath, lock ? serializeLockfile(lock) : null],
  ] as const) {
    if (text === null) continue;
    try {
      await writeFileAtomic(file, text);
    } catch (err) {
      throw new AgentpkgError("E_IO", `cannot finish an interrupted run: cannot write ${scopeRelative(scope, file)}: ${ioReason(err) ?? (err as Error).message}`, {
        cause: err,
        hint: `fix ${scopeRelative(scope, file)}, then run agentpkg doctor --fix`,
      });
    }
  }
  await removeJournal(scope);
  return result;
}

async function allInScope(scope: Scope, j: Journal): Promise<boolean> {
  for (const f of j.files) if (!(await isInScope(scope, abs(scope, f.file)))) return false;
  return true;
}

async function dropTemps(scope: Scope, j: Journal): Promise<void> {
  await Promise.all(j.files.filter((f) => f.tmp).map((f) => fs.rm(abs(scope, f.tmp!), { force: true })));
}
