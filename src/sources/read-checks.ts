import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { isSafeRegistryPath } from "../util/safe-path.js";
import { READ_LIMITS, readRegularFileIfExists, tryReadRegularFile } from "../util/safe-read.js";
import type { FetchedFile, VersionInfo } from "./source.js";

export { MAX_AGENT_BYTES };

export function tooBig(registry: string, v: VersionInfo, size: number): AgentpkgError {
  return new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is ${size} bytes, over the ${MAX_AGENT_BYTES}-byte limit for agent files`);
}

/**
 * Every Source.readVersion starts here: a path that could leave the registry (a crafted lockfile's
 * `../../x`) is refused before anything is looked up, and the message says nothing about what is there.
 */
export function assertSafeVersionPath(registry: string, v: VersionInfo): void {
  if (isSafeRegistryPath(v.path)) return;
  throw new AgentpkgError("E_UNSAFE", `${registry}: ${JSON.stringify(v.path)} (${v.version}) is not a relative path inside the registry; nothing was read`, {
    hint: "the lockfile or registry was crafted or damaged: restore .claude/agentpkg.lock from git, or delete it and run agentpkg install",
  });
}

/**
 * Read a version file of a registry kept as a folder (the bundled registry, an extracted tarball).
 * The path is checked first, then walked from `root` with lstat: a symlink at any level (a folder linked
 * out of the registry) is refused without being followed, so nothing outside `root` is ever touched.
 * `missing` words the error for a listed file that is not there.
 */
export async function readRegistryFile(root: string, registry: string, v: VersionInfo, commit: string | null, missing: () => AgentpkgError): Promise<FetchedFile> {
  assertSafeVersionPath(registry, v);
  const segments = v.path.split("/");
  let abs = root;
  for (const [i, seg] of segments.entries()) {
    abs = path.join(abs, seg);
    const st = await fs.lstat(abs).catch(() => undefined);
    if (!st) throw missing();
    const last = i === segments.length - 1;
    if (st.isSymbolicLink()) throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} goes through a symlink (${segments.slice(0, i + 1).join("/")}); symlinks are never followed`);
    if (!last && !st.isDirectory()) throw missing();
  }
  // the last step through the safe reader: a regular file (the opened fd is checked), never followed
  const r = tryReadRegularFile(abs, { limit: MAX_AGENT_BYTES, noFollow: true });
  if (r.ok) return checkedFile(registry, v, r.data, commit);
  if (r.kind === "missing") throw missing();
  if (r.kind === "too-large") throw tooBig(registry, v, r.size ?? MAX_AGENT_BYTES + 1);
  if (r.kind === "symlink") throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} goes through a symlink (${v.path}); symlinks are never followed`);
  throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is not a regular file`); // a folder, device or pipe: never read
}

/** registry.json of a registry on disk, or undefined when there is none (never a symlink, device or pipe). */
export function readRegistryJsonOnDisk(registry: string, root: string): Buffer | undefined {
  const display = `${registry}: registry.json`;
  return readRegularFileIfExists(path.join(root, "registry.json"), { limit: READ_LIMITS.registryIndex, noFollow: true, display, suffix: "", hint: "the registry must hold registry.json as a regular file" });
}

/** Content must match the registry's sha256 before it is written anywhere. */
export function checkedFile(registry: string, v: VersionInfo, content: Buffer, commit: string | null): FetchedFile {
  if (content.length > MAX_AGENT_BYTES) throw tooBig(registry, v, content.length);
  const actual = sha256(content);
  if (v.sha256 && actual !== v.sha256) {
    throw new AgentpkgError("E_INTEGRITY", `${registry}: sha256 mismatch for ${v.path} (${v.version}): expected ${v.sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}…`, {
      hint: "the registry is corrupt or was tampered with; nothing was written",
    });
  }
  return { content, sha256: actual, commit };
}

/**
 * A lockfile's commit that a git registry no longer has (its history was rewritten): the same path at the
 * registry's head does instead when its bytes are the locked ones (the sha256 decides, not the commit).
 * Otherwise the error says which registry and which file.
 */
export async function readAtHeadInstead(registry: string, v: VersionInfo, commit: string, gone: AgentpkgError, readAtHead: () => Promise<FetchedFile>): Promise<FetchedFile> {
  if (v.sha256) {
    const atHead = await readAtHead().catch(() => undefined);
    if (atHead && atHead.sha256 === v.sha256) return atHead;
  }
  throw new AgentpkgError("E_COMMIT_GONE", `registry ${registry}'s history was rewritten: the locked commit ${commit.slice(0, 12)} (${v.path}, version ${v.version}) is gone`, {
    cause: gone,
    hint: gone.hint,
  });
}
