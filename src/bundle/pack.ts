import { stableStringify } from "../util/json.js";
import type { Lockfile } from "../project/lockfile.js";
import { deterministicTgz, type ArchiveFile } from "../archive/tar-write.js";

/**
 * A bundle (`agentpkg pack`) is a deterministic .tgz holding:
 *   agentpkg.lock      the project's lockfile, byte for byte
 *   agentpkg.json      the project's manifest, when it has one
 *   index.json         { bundleVersion, agents: [{ name, version, sha256, registry, url, commit, path }] }
 *   content/<sha256>   the pristine content of each locked version
 */
export const BUNDLE_VERSION = 1;
export const LOCK_ENTRY = "agentpkg.lock";
export const MANIFEST_ENTRY = "agentpkg.json";
export const INDEX_ENTRY = "index.json";
export const CONTENT_DIR = "content/";

export interface BundleIndexEntry {
  name: string;
  version: string;
  sha256: string;
  registry: string;
  url: string;
  commit: string | null;
  path: string;
}

export interface BundleIndex {
  bundleVersion: number;
  agents: BundleIndexEntry[];
}

/** The index a lockfile implies: one entry per agent, sorted by name. */
export function bundleIndex(lock: Lockfile): BundleIndex {
  const agents = Object.keys(lock.agents)
    .sort()
    .map((name) => {
      const e = lock.agents[name]!;
      return { name, version: e.version, sha256: e.sha256, registry: e.registry, url: e.url, commit: e.commit, path: e.path };
    });
  return { bundleVersion: BUNDLE_VERSION, agents };
}

export interface BundleInput {
  lockText: string;
  lock: Lockfile;
  manifestText?: string;
  /** pristine bytes by sha256, for every sha256 the lock names (already verified by the caller) */
  content: ReadonlyMap<string, Buffer>;
}

/** The bundle's bytes: the same lock, manifest and content always give the same bytes. */
export function buildBundle(b: BundleInput): Buffer {
  const files: ArchiveFile[] = [
    { path: LOCK_ENTRY, data: Buffer.from(b.lockText, "utf8") },
    { path: INDEX_ENTRY, data: Buffer.from(stableStringify(bundleIndex(b.lock)), "utf8") },
  ];
  if (b.manifestText !== undefined) files.push({ path: MANIFEST_ENTRY, data: Buffer.from(b.manifestText, "utf8") });
  const shas = new Set(Object.values(b.lock.agents).map((e) => e.sha256));
  for (const sha of [...shas].sort()) {
    const data = b.content.get(sha);
    if (!data) throw new Error(`internal: no content for ${sha}`);
    files.push({ path: `${CONTENT_DIR}${sha}`, data });
  }
  return deterministicTgz(files);
}
