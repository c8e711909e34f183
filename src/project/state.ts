import path from "node:path";
import { emptyManifest, parseManifest, readManifestText, type Manifest } from "./manifest.js";
import { emptyLockfile, parseLockfile, readLockText, type Lockfile } from "./lockfile.js";
import { displayPath, type Scope } from "./scope.js";
import { stripBom } from "../util/json.js";

/** The committed project files as read at one moment (texts kept for change detection). */
export interface ProjectFiles {
  scope: Scope;
  manifest: Manifest;
  lock: Lockfile;
  manifestText: string | undefined;
  lockText: string | undefined;
}

/**
 * The manifest's and lockfile's text without a byte order mark: a file saved with one reads, and compares
 * equal to, the same file without (it is written back without one only when it changes anyway).
 */
const shown = (scope: Scope, p: string) => (scope.configDir ? displayPath(scope, p) : path.relative(scope.root, p) || p);

function readTexts(scope: Scope): [string | undefined, string | undefined] {
  const rel = (p: string) => shown(scope, p);
  const m = readManifestText(scope.manifestPath, rel(scope.manifestPath));
  const l = readLockText(scope.lockPath, rel(scope.lockPath));
  return [m === undefined ? m : stripBom(m), l === undefined ? l : stripBom(l)];
}

export async function readProjectFiles(scope: Scope): Promise<ProjectFiles> {
  const rel = (p: string) => shown(scope, p);
  const [manifestText, lockText] = readTexts(scope);
  return {
    scope,
    manifest: manifestText === undefined ? emptyManifest() : parseManifest(manifestText, rel(scope.manifestPath)),
    lock: lockText === undefined ? emptyLockfile() : parseLockfile(lockText, rel(scope.lockPath), { global: scope.global }),
    manifestText,
    lockText,
  };
}

export async function projectFilesChanged(before: ProjectFiles): Promise<boolean> {
  const [m, l] = readTexts(before.scope);
  return m !== before.manifestText || l !== before.lockText;
}
