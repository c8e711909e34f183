import { stableStringify } from "../util/json.js";
import { pluginFiles, type Lockfile } from "../project/lockfile.js";
import { deterministicTgz, type ArchiveFile } from "../archive/tar-write.js";

/**
 * A bundle (`agentpkg pack`) is a deterministic .tgz holding:
 *   agentpkg.lock      the project's lockfile, byte for byte
 *   agentpkg.json      the project's manifest, when it has one
 *   index.json         { bundleVersion, agents: [{ name, version, sha256, registry, url, commit, path }],
 *                        plugins: [{ name, version, registry, url, commit, root, content: [sha256] }] }
 *   content/<sha256>   the pristine content of each locked agent, and of each file and hook or MCP entry of
 *                      each locked plugin
 * Version 1 (agents only) is still what a lock without plugins gives, byte for byte; version 2 adds `plugins`.
 */
export const BUNDLE_VERSION = 1;
export const BUNDLE_VERSION_PLUGINS = 2;
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

export interface BundleIndexPlugin {
  name: string;
  version: string;
  registry: string;
  url: string;
  commit: string | null;
  root: string;
  /** the sha256 of every file and entry of the plugin, sorted, each once */
  content: string[];
}

export interface BundleIndex {
  bundleVersion: number;
  agents: BundleIndexEntry[];
  plugins?: BundleIndexPlugin[];
}

/** The sha256 of every file and entry a locked plugin wrote (files kept at an older version included), sorted. */
export function pluginContent(lock: Lockfile, name: string): string[] {
  return [...new Set(pluginFiles(name, lock.plugins[name]!).map((f) => f.sha256))].sort();
}

/** Every sha256 a lock names: its agents' and its plugins' files. */
export function lockedContent(lock: Lockfile): Set<string> {
  const shas = new Set(Object.values(lock.agents).map((e) => e.sha256));
  for (const name of Object.keys(lock.plugins)) for (const sha of pluginContent(lock, name)) shas.add(sha);
  return shas;
}

/** The index a lockfile implies: one entry per agent and per plugin, sorted by name. */
export function bundleIndex(lock: Lockfile): BundleIndex {
  const agents = Object.keys(lock.agents)
    .sort()
    .map((name) => {
      const e = lock.agents[name]!;
      return { name, version: e.version, sha256: e.sha256, registry: e.registry, url: e.url, commit: e.commit, path: e.path };
    });
  const names = Object.keys(lock.plugins).sort();
  if (names.length === 0) return { bundleVersion: BUNDLE_VERSION, agents };
  const plugins = names.map((name) => {
    const p = lock.plugins[name]!;
    return { name, version: p.version, registry: p.registry, url: p.url, commit: p.commit, root: p.root, content: pluginContent(lock, name) };
  });
  return { bundleVersion: BUNDLE_VERSION_PLUGINS, agents, plugins };
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
  for (const sha of [...lockedContent(b.lock)].sort()) {
    const data = b.content.get(sha);
    if (!data) throw new Error(`internal: no content for ${sha}`);
    files.push({ path: `${CONTENT_DIR}${sha}`, data });
  }
  return deterministicTgz(files);
}
