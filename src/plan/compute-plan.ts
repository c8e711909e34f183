import type { LockEntry } from "../project/lockfile.js";

/**
 * What the file on disk is, relative to what agentpkg last wrote:
 * absent (nothing there, nothing expected), missing (locked but deleted), clean (matches the lock),
 * modified (differs from the lock), untracked (a file agentpkg never wrote is in the way).
 */
export type LocalState = "absent" | "missing" | "clean" | "modified" | "untracked";

/** How a step touching a locally edited file was settled. */
export type Resolution = "overwrite" | "keep" | "merge";

export type Step =
  | { op: "add"; name: string; to: LockEntry; local: "absent" | "missing" | "untracked" | "clean"; resolution?: Resolution }
  | { op: "update"; name: string; from: LockEntry; to: LockEntry; local: "clean" | "modified" | "missing"; resolution?: Resolution }
  | { op: "remove"; name: string; from: LockEntry; local: "clean" | "modified" | "missing"; resolution?: Resolution };

/** sha256 of each relevant file on disk (by its path relative to the scope root); null when missing. */
export type DiskHashes = ReadonlyMap<string, string | null>;

function stateOf(entry: LockEntry, disk: DiskHashes): "clean" | "modified" | "missing" {
  const actual = disk.get(entry.file) ?? null;
  if (actual === null) return "missing";
  return actual === entry.sha256 ? "clean" : "modified";
}

export function sameLockEntry(a: LockEntry, b: LockEntry): boolean {
  return (
    a.version === b.version && a.registry === b.registry && a.url === b.url && a.commit === b.commit &&
    a.path === b.path && a.sha256 === b.sha256 && a.file === b.file && a.localSha256 === b.localSha256
  );
}

/**
 * Pure: desired lock entries vs the current lock and the files on disk -> the steps to take, sorted by name.
 * Unchanged entries whose file is present produce no step (with restoreModified, sync's option, only when
 * the file is clean); a locked file that went missing is restored.
 */
export function computePlan(
  desired: Readonly<Record<string, LockEntry>>,
  current: Readonly<Record<string, LockEntry>>,
  disk: DiskHashes,
  o: { restoreModified?: boolean } = {},
): Step[] {
  const steps: Step[] = [];
  for (const [name, to] of Object.entries(desired)) {
    const from = Object.hasOwn(current, name) ? current[name] : undefined;
    if (!from) {
      const actual = disk.get(to.file) ?? null;
      const local = actual === null ? "absent" : actual === to.sha256 ? "clean" : "untracked";
      steps.push({ op: "add", name, to, local });
      continue;
    }
    const local = stateOf(from, disk);
    if (sameLockEntry(from, to)) {
      if (local === "missing") steps.push({ op: "add", name, to, local: "missing" });
      // sync: an edited file goes back to the locked content (a clean merge's localSha256 counts as in sync)
      else if (o.restoreModified && local === "modified" && disk.get(from.file) !== from.localSha256) steps.push({ op: "update", name, from, to, local });
      continue;
    }
    if (from.sha256 === to.sha256 && from.file === to.file && local !== "missing") {
      // same content from another commit or registry url: only the lock entry changes
      steps.push({ op: "update", name, from, to, local });
      continue;
    }
    steps.push({ op: "update", name, from, to, local });
  }
  for (const [name, from] of Object.entries(current)) {
    if (!Object.hasOwn(desired, name)) steps.push({ op: "remove", name, from, local: stateOf(from, disk) });
  }
  return steps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A step that would overwrite or delete a file agentpkg did not write as-is. */
export function touchesLocalEdit(step: Step): boolean {
  return step.local === "modified" || step.local === "untracked";
}

/** Whether applying the step writes the agent file (vs only changing the lock). */
export function writesFile(step: Step): boolean {
  if (step.resolution === "keep") return false;
  if (step.op === "remove") return step.local !== "missing";
  if (step.op === "add") return step.local !== "clean";
  return step.local === "missing" || step.from.sha256 !== step.to.sha256 || step.from.file !== step.to.file || step.local === "modified";
}
