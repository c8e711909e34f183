// The sharded index of a registry checkout (index/config.json + index/<aa>/<name>.json, docs/registries.md):
// what a shard holds, which blob ids it names, and the index files a change of registry.json rewrites.
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { isPlainObject } from "../util/json.js";
import { isSafeRegistryPath } from "../util/safe-path.js";
import { readRegularFileIfExists } from "../util/safe-read.js";
import { objectsAt } from "../git/objects.js";
import { regularBlobsAt } from "../git/history.js";
import { gitBlobId, objectFormat } from "../git/blob-id.js";
import { SHARD_CONFIG, SHARD_FORMAT, shardPath } from "../sources/index/shard-path.js";
import { checkShardConfig, MAX_SHARD_BYTES, type ShardConfig } from "../sources/git-registry/shard-json.js";

export interface IndexWrite {
  path: string;
  content: string;
}

/** index/config.json as agentpkg writes it. */
export function configText(agents: number): string {
  return JSON.stringify({ format: SHARD_FORMAT, agents }, null, 2) + "\n";
}

/** What index/config.json says, or why it is not an index this agentpkg writes (a one-line reason). */
export function parseIndexConfig(text: string): ShardConfig | string {
  return checkShardConfig(text.replace(/^\uFEFF/, ""));
}

/** A file of the checkout, bounded, never through a final symlink; undefined when absent. */
export function readIndexFile(dir: string, label: string, rel: string): Buffer | undefined {
  return readRegularFileIfExists(path.join(dir, ...rel.split("/")), { limit: MAX_SHARD_BYTES, noFollow: true, display: `${label}: ${rel}`, code: "E_REGISTRY_INVALID" });
}

/**
 * The registry's index config: undefined when it has none (not sharded: publish leaves it so). A config
 * this agentpkg cannot write (another format, broken) refuses, so a change never half-updates an index.
 */
export function shardedConfig(dir: string, label: string): ShardConfig | undefined {
  const buf = readIndexFile(dir, label, SHARD_CONFIG);
  if (buf === undefined) return undefined;
  const c = parseIndexConfig(buf.toString("utf8"));
  if (typeof c !== "string") return c;
  throw new AgentpkgError("E_REGISTRY_INVALID", `${label}: ${SHARD_CONFIG} ${c}`, {
    hint: c.startsWith("has format") ? "use the agentpkg that wrote this index (upgrade agentpkg)" : `rewrite the index: agentpkg registry index ${label}`,
  });
}

/** A version's entry with `blob` right after `sha256` (where the format shows it); none when unknown. */
function withBlob(info: unknown, blob: string | undefined): unknown {
  if (!isPlainObject(info)) return info;
  const entries = Object.entries(info).filter(([k]) => k !== "blob");
  if (blob !== undefined) {
    const at = entries.findIndex(([k]) => k === "sha256");
    entries.splice(at < 0 ? entries.length : at + 1, 0, ["blob", blob]);
  }
  return Object.fromEntries(entries);
}

/** The version files an entry lists (only paths inside the registry). */
export function versionPaths(entry: unknown): string[] {
  const versions = isPlainObject(entry) && isPlainObject(entry.versions) ? Object.values(entry.versions) : [];
  return versions.flatMap((v) => (isPlainObject(v) && typeof v.path === "string" && isSafeRegistryPath(v.path) ? [v.path] : []));
}

/** One agent's shard: its registry.json entry, `name` first, each version's `blob` when known. */
export function shardText(name: string, entry: Record<string, unknown>, blobOf: (path: string) => string | undefined): string {
  const versions = isPlainObject(entry.versions)
    ? Object.fromEntries(Object.entries(entry.versions).map(([v, info]) => [v, withBlob(info, isPlainObject(info) && typeof info.path === "string" ? blobOf(info.path) : undefined)]))
    : entry.versions;
  const shard: Record<string, unknown> = { name, ...entry, versions };
  shard.name = name;
  const text = JSON.stringify(shard, null, 2) + "\n";
  const size = Buffer.byteLength(text);
  if (size > MAX_SHARD_BYTES) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${shardPath(name)} would be ${size} bytes, over the ${MAX_SHARD_BYTES} bytes readers accept; nothing was written`, {
      hint: `shorten what registry.json says about ${name} (changelogs, yank reasons)`,
    });
  }
  return text;
}

/**
 * Blob ids of regular files as committed at HEAD; absent ones are left out. A few paths are looked up one
 * by one (`HEAD:<path>`, one `cat-file --batch-check`); many through one listing of the tree, since each
 * lookup walks the `agents/` tree of every agent again (20,000 agents: 2 minutes instead of 0.2 s).
 */
export async function committedBlobs(dir: string, env: NodeJS.ProcessEnv, paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (paths.length > 16) {
    // only the top folders holding them (agents/, not the index's shards)
    return regularBlobsAt(dir, "HEAD", new Set(paths), [...new Set(paths.map((p) => p.split("/")[0]!))], env);
  }
  const at = await objectsAt(dir, paths.map((p) => `HEAD:${p}`), env);
  for (const p of paths) {
    const id = at.get(`HEAD:${p}`);
    if (id) out.set(p, id);
  }
  return out;
}

/**
 * The index files a change to one agent's entry rewrites in a sharded checkout: its shard (the blob ids
 * of the files this change writes, `fresh`, hashed as git will store them; the others as committed), and
 * config.json when the count (`agents`, after the change) differs. `blobs`: the ids given to the fresh
 * files, for the commit to check. Nothing when the registry has no index.
 */
export async function agentIndexChange(
  repo: { dir: string; label: string; env: NodeJS.ProcessEnv },
  change: { name: string; entry: Record<string, unknown>; agents: number },
  freshFiles: ReadonlyMap<string, Buffer> = new Map(),
): Promise<{ writes: IndexWrite[]; blobs: Map<string, string> }> {
  const config = shardedConfig(repo.dir, repo.label);
  if (!config) return { writes: [], blobs: new Map() };
  const { name, entry, agents } = change;
  const format = freshFiles.size ? await objectFormat(repo.dir, repo.env) : "sha1";
  const fresh = new Map([...freshFiles].map(([p, data]) => [p, gitBlobId(data, format)]));
  const committed = await committedBlobs(repo.dir, repo.env, versionPaths(entry).filter((p) => !fresh.has(p)));
  const writes: IndexWrite[] = [{ path: shardPath(name), content: shardText(name, entry, (p) => fresh.get(p) ?? committed.get(p)) }];
  if (config.agents !== agents) writes.push({ path: SHARD_CONFIG, content: configText(agents) });
  return { writes, blobs: fresh };
}
