// The one plan type of every mutating command: computed, settled and reviewed in src/change, applied by
// src/apply, printed (dry run or result) by src/cli. Pure data: no fs, no clock, no network (the new files'
// bytes are read through the FileContents the plan was given: src/change's reads them from the content store).
import type { PermissionChange } from "../agent/permissions.js";
import { serializeLockfile, type LockedFile, type Lockfile, type PartKind } from "../project/lockfile.js";
import { serializeManifest, type Manifest } from "../project/manifest.js";

/**
 * What the file on disk is, relative to what agentpkg last wrote:
 * absent (nothing there, nothing expected), missing (locked but deleted), clean (matches the lock),
 * modified (differs from the lock), outdated (differs, but is a version agentpkg installed before: a lock
 * pulled from git that moved on, not an edit), untracked (a file agentpkg never wrote is in the way).
 */
export type LocalState = "absent" | "missing" | "clean" | "modified" | "outdated" | "untracked";

/** How a step that meets a local edit was settled: a conflicted merge writes only `<file>.conflict`. */
export type Resolution = "overwrite" | "keep" | "merge" | "conflict";

interface StepOf {
  /** the package's key (manifest and lock) */
  name: string;
  /** the file, relative to the scope root: a step's identity */
  file: string;
  kind: PartKind;
  resolution?: Resolution;
}

/** One file's change. */
export type Step = StepOf &
  (
    | { op: "add"; to: LockedFile; local: "absent" | "missing" | "untracked" | "clean" }
    | { op: "update"; from: LockedFile; to: LockedFile; local: "clean" | "modified" | "outdated" | "missing" }
    | { op: "remove"; from: LockedFile; local: "clean" | "modified" | "outdated" | "missing" }
  );

/** A merge that left conflicts: the merged text with markers, written next to the file (nothing else is). */
export interface Conflict {
  name: string;
  file: string;
  conflictFile: string;
  text: Buffer;
}

/**
 * Bytes by file that may live outside memory: `get` reads them (verified) and throws when they can no
 * longer be had. A Map is one.
 */
export interface FileContents {
  has(file: string): boolean;
  get(file: string): Buffer | undefined;
}

/** What an update changes in what an agent may do. */
export interface PermissionReview {
  name: string;
  from: string;
  to: string;
  changes: PermissionChange[];
  /** needs confirmation (a prompt, or --yes) */
  risky: boolean;
}

export interface Plan {
  /** one per file, sorted by package, then file */
  steps: Step[];
  /** the manifest and lockfile to write */
  manifest: Manifest;
  lock: Lockfile;
  manifestChanged: boolean;
  lockChanged: boolean;
  /** the new version's pristine bytes of every file a step writes, by file (read when used, not held) */
  incoming: FileContents;
  /** what to write instead of the pristine bytes (a merge), by file */
  merged: ReadonlyMap<string, Buffer>;
  /** the current bytes of files a step meets as local edits, by file */
  local: ReadonlyMap<string, Buffer>;
  /** sha256 of every file the plan looked at, by file (null: missing) */
  disk: ReadonlyMap<string, string | null>;
  /** merges that conflicted: a plan with conflicts is never applied */
  conflicts: Conflict[];
  /** files that record merges (.claude/agentpkg/patches/...): new content, or null to delete */
  patches: ReadonlyMap<string, Buffer | null>;
  permissions: PermissionReview[];
  warnings: string[];
}

/** The manifest and lockfile texts a plan is measured against (null: no such file). */
export interface Baseline {
  manifestText: string | undefined;
  lockText: string | undefined;
}

/** Complete a plan: whether the manifest and lockfile it would write differ from what is there. */
export function finishPlan(before: Baseline, p: Omit<Plan, "manifestChanged" | "lockChanged">): Plan {
  const emptyProject = Object.keys(p.manifest.agents).length + Object.keys(p.manifest.plugins).length + Object.keys(p.manifest.registries).length === 0;
  return {
    ...p,
    manifestChanged: before.manifestText === undefined ? !emptyProject : serializeManifest(p.manifest) !== before.manifestText,
    lockChanged: before.lockText === undefined ? Object.keys(p.lock.agents).length + Object.keys(p.lock.plugins).length > 0 || !emptyProject : serializeLockfile(p.lock) !== before.lockText,
  };
}

/** A plan that changes nothing (the answer of a sync the stat cache knows is unchanged). */
export function emptyPlan(manifest: Manifest, lock: Lockfile): Plan {
  const none = new Map();
  return { steps: [], manifest, lock, manifestChanged: false, lockChanged: false, incoming: none, merged: none, local: none, disk: none, conflicts: [], patches: none, permissions: [], warnings: [] };
}

export function isNoop(p: Plan): boolean {
  return p.steps.length === 0 && !p.manifestChanged && !p.lockChanged;
}

/** A step that would overwrite or delete a file agentpkg did not write as-is. */
export function touchesLocalEdit(step: Step): boolean {
  return step.local === "modified" || step.local === "untracked";
}

/** Whether applying the step writes the file (vs only changing the lock). */
export function writesFile(step: Step): boolean {
  if (step.resolution === "keep" || step.resolution === "conflict") return false;
  if (step.op === "remove") return step.local !== "missing";
  if (step.op === "add") return step.local !== "clean";
  return step.local === "missing" || step.local === "modified" || step.local === "outdated" || step.from.sha256 !== step.to.sha256;
}
