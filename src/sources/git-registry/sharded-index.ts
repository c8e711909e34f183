// A sharded registry's index read from a treeless mirror: index/config.json once per commit (remembered in
// the mirror), then the shards of the agents asked for. Only the trees on the way (the root, index/, the
// index/<p> folders) and those blobs are fetched, by id and without what they contain; never registry.json.
import path from "node:path";
import { AgentpkgError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { tryReadRegularFile } from "../../util/safe-read.js";
import { isValidAgentName } from "../../util/names.js";
import { redactCredentials } from "../../util/redact.js";
import { isRegularFile, lsTreePaths } from "../../git/history.js";
import { offlineGitEnv, type Mirror } from "../../store/git-mirrors.js";
import { presentObjects, rootTree } from "../../store/treeless.js";
import { readById } from "./objects-by-id.js";
import { SHARD_CONFIG, shardPath } from "../index/shard-path.js";
import { MAX_SHARD_BYTES, MAX_SHARD_CONFIG_BYTES, parseShard, parseShardConfig, type ShardConfig } from "./shard-json.js";
import type { AgentEntry } from "../source.js";

export interface ShardContext {
  mirror: Mirror;
  env: NodeJS.ProcessEnv;
  offline: boolean;
  /** the registry's name, for messages */
  label: string;
}

/** The mirror's commit is a sharded registry (its config.json, remembered): a warm run needs no git to know. */
const configMarker = (mirror: Mirror) => path.join(mirror.dir, `registry-${mirror.commit}.shards.json`);

export function cachedShardConfig(mirror: Mirror): ShardConfig | undefined {
  const r = tryReadRegularFile(configMarker(mirror), { limit: MAX_SHARD_CONFIG_BYTES });
  return r.ok ? parseShardConfig(r.data.toString("utf8")) : undefined;
}

/**
 * index/config.json of the mirror's commit when it is a format this reader knows, else undefined (no
 * index/, an unknown format, an invalid file: registry.json is read instead).
 */
export async function readShardConfig(c: ShardContext): Promise<ShardConfig | undefined> {
  const cached = cachedShardConfig(c.mirror);
  if (cached) return cached;
  const file = (await readIndexFiles(c, [SHARD_CONFIG], MAX_SHARD_CONFIG_BYTES)).get(SHARD_CONFIG);
  const config = file instanceof Buffer ? parseShardConfig(file.toString("utf8")) : undefined;
  if (config) await writeFileAtomic(configMarker(c.mirror), JSON.stringify(config) + "\n", { durable: false }).catch(() => undefined); // a read-only cache only costs speed
  return config;
}

/**
 * Agents' shards, checked (shard-json.ts); null for a name the registry has no shard for. The reads asked
 * for in the same tick (a change resolves every agent at once) share one batch: one `ls-tree`, at most one
 * fetch for the index/<p> trees and one for the shards, one `cat-file`.
 */
export class ShardReader {
  private queue: { name: string; resolve(entry: AgentEntry | null): void; reject(err: unknown): void }[] = [];

  constructor(private readonly c: ShardContext) {}

  read(name: string): Promise<AgentEntry | null> {
    if (!isValidAgentName(name)) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      if (this.queue.push({ name, resolve, reject }) === 1) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue.splice(0);
    try {
      const files = await readIndexFiles(this.c, [...new Set(batch.map((r) => shardPath(r.name)))], MAX_SHARD_BYTES);
      for (const r of batch) {
        try {
          const found = files.get(shardPath(r.name));
          if (found instanceof AgentpkgError) throw found;
          r.resolve(found === undefined ? null : parseShard(found.toString("utf8"), r.name, this.c.label));
        } catch (err) {
          r.reject(err);
        }
      }
    } catch (err) {
      for (const r of batch) r.reject(err);
    }
  }
}

/**
 * Files of the index at the mirror's commit (`index/config.json`, `index/<p>/<name>.json`): path -> bytes,
 * or the error that file is (not a regular file, over `maxBytes`); absent when the commit has no such file.
 * git never fetches on its own here (it would take every tree below a missing one): missing trees and
 * blobs come by id.
 */
async function readIndexFiles(c: ShardContext, files: readonly string[], maxBytes: number): Promise<Map<string, Buffer | AgentpkgError>> {
  const { mirror, env, offline } = c;
  let listed = await lsFiles(c, files).catch(() => undefined);
  if (!listed) {
    await presentIndexTrees(c, [...new Set(files.map((f) => path.posix.dirname(f)))]);
    listed = await lsFiles(c, files);
  }
  const out = new Map<string, Buffer | AgentpkgError>();
  const wanted = new Map<string, string>();
  for (const [file, e] of listed) {
    if (e.type !== "blob" || !isRegularFile(e.mode)) {
      out.set(file, new AgentpkgError("E_UNSAFE", `${c.label}: ${file} is not a regular file (mode ${e.mode}); symlinks and submodules are never followed`));
    } else wanted.set(file, e.oid);
  }
  if (wanted.size === 0) return out;
  const objects = await readById(mirror, [...wanted.values()], { env, offline, maxBytes });
  for (const [file, oid] of wanted) {
    const o = objects.get(oid);
    if (o && o.data === undefined) {
      out.set(file, new AgentpkgError("E_REGISTRY_INVALID", `${c.label}: ${file} is ${o.size} bytes, over the ${maxBytes}-byte limit`, { hint: "the registry's maintainers must fix its index" }));
    } else if (o?.type !== "blob" || !o.data) {
      throw new AgentpkgError("E_REGISTRY_INVALID", `${c.label}: ${file} could not be read at commit ${mirror.commit.slice(0, 12)} (${redactCredentials(mirror.url)})`);
    } else out.set(file, o.data);
  }
  return out;
}

/** `ls-tree` of exact paths at the mirror's commit; fails (never fetches) when a tree on the way is missing. */
const lsFiles = (c: ShardContext, files: readonly string[]) => lsTreePaths(c.mirror.dir, c.mirror.commit, files, offlineGitEnv(c.env));

/** The entries named `names` of one tree the mirror holds (never fetches). */
const treeEntries = (c: ShardContext, tree: string, names: readonly string[]) => lsTreePaths(c.mirror.dir, tree, names, offlineGitEnv(c.env));

/**
 * The trees from the root down to each of `dirs` (`index`, `index/<p>`) present: the root, then index/,
 * then every index/<p> asked for in one fetch, each tree alone (at most three round trips, however many
 * agents). A folder the commit lacks is skipped: its files are then simply not listed.
 */
async function presentIndexTrees(c: ShardContext, dirs: readonly string[]): Promise<void> {
  const { mirror, env, offline } = c;
  const root = await rootTree(mirror.dir, mirror.commit, env);
  await presentObjects(mirror, [root], env, offline);
  const index = (await treeEntries(c, root, ["index"])).get("index");
  if (index?.type !== "tree") return;
  await presentObjects(mirror, [index.oid], env, offline);
  const below = dirs.filter((d) => d.startsWith("index/")).map((d) => d.slice("index/".length));
  const trees = [...(await treeEntries(c, index.oid, below)).values()].filter((e) => e.type === "tree");
  await presentObjects(mirror, trees.map((e) => e.oid), env, offline);
}
