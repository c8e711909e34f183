import { lockedFiles, type LockedFile, type Lockfile } from "../project/lockfile.js";
import type { Step } from "./plan.js";

/** sha256 of each relevant file on disk (by its path relative to the scope root); null when missing. */
export type DiskHashes = ReadonlyMap<string, string | null>;

/** How the plan reads the disk: files' sha256, and which other contents agentpkg installed itself before. */
export interface DiskView {
  hashes: DiskHashes;
  /** sha256 of a pristine version agentpkg once installed (the content store has it) */
  installedBefore?: (sha256: string) => boolean;
}

function stateOf(f: LockedFile, disk: DiskView): "clean" | "modified" | "outdated" | "missing" {
  const actual = disk.hashes.get(f.file) ?? null;
  if (actual === null) return "missing";
  if (actual === f.sha256) return "clean";
  return actual !== f.localSha256 && disk.installedBefore?.(actual) ? "outdated" : "modified";
}

export function sameLockedFile(a: LockedFile, b: LockedFile): boolean {
  return (
    a.name === b.name && a.version === b.version && a.registry === b.registry && a.url === b.url && a.commit === b.commit &&
    a.path === b.path && a.sha256 === b.sha256 && a.file === b.file && a.localSha256 === b.localSha256
  );
}

const byPackageThenFile = (a: Step, b: Step): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0;

/**
 * Pure: the desired lock vs the current lock and the files on disk -> one step per file that changes,
 * sorted by package, then file. An unchanged file that is present produces no step (with restoreModified,
 * sync's option, only when it is clean); a locked file that went missing is restored.
 */
export function computePlan(desiredLock: Lockfile, currentLock: Lockfile, disk: DiskHashes | DiskView, o: { restoreModified?: boolean } = {}): Step[] {
  const view: DiskView = "hashes" in disk ? disk : { hashes: disk };
  const desired = lockedFiles(desiredLock, "the new lock");
  const current = lockedFiles(currentLock, "the lockfile");
  const steps: Step[] = [];
  for (const [file, to] of desired) {
    const from = current.get(file);
    // literals, not a spread of shared fields and more: V8 gives every object built that way a hidden class of its own (~0.5 KB)
    const { name, kind } = to;
    if (!from) {
      const actual = view.hashes.get(file) ?? null;
      const local = actual === null ? "absent" : actual === to.sha256 ? "clean" : "untracked";
      steps.push({ name, file, kind, op: "add", to, local });
      continue;
    }
    const local = stateOf(from, view);
    if (sameLockedFile(from, to)) {
      if (local === "missing") steps.push({ name, file, kind, op: "add", to, local: "missing" });
      // a version agentpkg installed before (the lock was pulled from git): bring it to the locked one
      else if (local === "outdated") steps.push({ name, file, kind, op: "update", from, to, local });
      // sync: an edited file goes back to the locked content (a clean merge's localSha256 counts as in sync)
      else if (o.restoreModified && local === "modified" && view.hashes.get(file) !== from.localSha256) steps.push({ name, file, kind, op: "update", from, to, local });
      continue;
    }
    // another version, or the same content from another commit or registry url (only the lock changes)
    steps.push({ name, file, kind, op: "update", from, to, local });
  }
  for (const [file, from] of current) {
    if (!desired.has(file)) steps.push({ name: from.name, file, kind: from.kind, op: "remove", from, local: stateOf(from, view) });
  }
  return steps.sort(byPackageThenFile);
}
