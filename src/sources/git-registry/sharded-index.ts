// A sharded registry's index read from a treeless mirror: index/config.json once per commit (remembered in
// the mirror), then one agent's shard at a time. Only the trees on the way (the root, index/, index/<p>)
// and the two blobs are fetched, each by id and alone; nothing is read from registry.json.
import path from "node:path";
import { AgentpkgError } from "../../util/errors.js";
import { runGit } from "../../git/run.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { tryReadRegularFile } from "../../util/safe-read.js";
import { isValidAgentName } from "../../util/names.js";
import { redactCredentials } from "../../util/redact.js";
import { isRegularFile } from "../../git/history.js";
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
  /** called before each fetch a read needs (it may throw to stop one that would need too many) */
  beforeFetch?: () => void;
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
  const file = (await readIndexFiles(c, [SHARD_CONFIG], "index", MAX_SHARD_CONFIG_BYTES)).get(SHARD_CONFIG);
  const config = file instanceof Buffer ? parseShardConfig(file.toString("utf8")) : undefined;
  if (config) await writeFileAtomic(configMarker(c.mirror), JSON.stringify(config) + "\n", { durable: false }).catch(() => undefined); // a read-only cache only costs speed
  return config;
}

/** One agent's shard, checked (shard-json.ts); null when the registry has no shard for that name. */
export async function readShard(c: ShardContext, name: string): Promise<AgentEntry | null> {
  if (!isValidAgentName(name)) return null;
  const file = shardPath(name);
  const found = (await readIndexFiles(c, [file], path.posix.dirname(file), MAX_SHARD_BYTES)).get(file);
  if (found === undefined) return null;
  if (found instanceof AgentpkgError) throw found;
  return parseShard(found.toString("utf8"), name, c.label);
}

interface Entry {
  mode: string;
  type: string;
  oid: string;
}

/**
 * Files of the index at the mirror's commit (all under `dir`): path -> bytes, or the error that file is
 * (not a regular file, over `maxBytes`); absent when the commit has no such file. git never fetches on
 * its own here (it would take every tree below a missing one): missing trees and blobs come by id.
 */
async function readIndexFiles(c: ShardContext, files: readonly string[], dir: string, maxBytes: number): Promise<Map<string, Buffer | AgentpkgError>> {
  const { mirror, env, offline } = c;
  let listed = await lsFiles(c, files).catch(() => undefined);
  if (!listed) {
    if (!offline) c.beforeFetch?.();
    await presentTreesTo(c, dir);
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
  const objects = await readById(mirror, [...wanted.values()], { env, offline, maxBytes, beforeFetch: c.beforeFetch });
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
async function lsFiles(c: ShardContext, files: readonly string[]): Promise<Map<string, Entry>> {
  const args = ["--literal-pathspecs", "ls-tree", "-z", "--full-tree", c.mirror.commit, "--", ...files];
  return parseLsTree((await runGit(args, { cwd: c.mirror.dir, env: offlineGitEnv(c.env) })).toString("utf8"));
}

function parseLsTree(text: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const rec of text.split("\0")) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(rec);
    if (m) out.set(m[4]!, { mode: m[1]!, type: m[2]!, oid: m[3]! });
  }
  return out;
}

/**
 * The trees from the root down to `dir` present, each fetched alone when missing (a round trip each, at
 * most three for `index/<p>`). Stops where the path ends: the files are then simply not listed.
 */
async function presentTreesTo(c: ShardContext, dir: string): Promise<void> {
  const { mirror, env, offline } = c;
  let tree = await rootTree(mirror.dir, mirror.commit, env);
  await presentObjects(mirror, [tree], env, offline);
  for (const name of dir.split("/")) {
    const entry = parseLsTree((await runGit(["--literal-pathspecs", "ls-tree", "-z", tree, "--", name], { cwd: mirror.dir, env: offlineGitEnv(env) })).toString("utf8")).get(name);
    if (entry?.type !== "tree") return;
    await presentObjects(mirror, [entry.oid], env, offline);
    tree = entry.oid;
  }
}
