import path from "node:path";
import { emptyManifest, parseManifest, readManifestText, type Manifest } from "./manifest.js";
import { emptyLockfile, parseLockfile, readLockText, type Lockfile } from "./lockfile.js";
import type { Scope } from "./scope.js";

/** The committed project files as read at one moment (texts kept for change detection). */
export interface ProjectFiles {
  scope: Scope;
  manifest: Manifest;
  lock: Lockfile;
  manifestText: string | undefined;
  lockText: string | undefined;
}

export async function readProjectFiles(scope: Scope): Promise<ProjectFiles> {
  const rel = (p: string) => path.relative(scope.root, p) || p;
  const manifestText = readManifestText(scope.manifestPath, rel(scope.manifestPath));
  const lockText = readLockText(scope.lockPath, rel(scope.lockPath));
  return {
    scope,
    manifest: manifestText === undefined ? emptyManifest() : parseManifest(manifestText, rel(scope.manifestPath)),
    lock: lockText === undefined ? emptyLockfile() : parseLockfile(lockText, rel(scope.lockPath)),
    manifestText,
    lockText,
  };
}

export async function projectFilesChanged(before: ProjectFiles): Promise<boolean> {
  const rel = (p: string) => path.relative(before.scope.root, p) || p;
  const m = readManifestText(before.scope.manifestPath, rel(before.scope.manifestPath));
  const l = readLockText(before.scope.lockPath, rel(before.scope.lockPath));
  return m !== before.manifestText || l !== before.lockText;
}
