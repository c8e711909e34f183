// `agentpkg registry index [DIR]`: write (or refresh) a registry's whole sharded index from its
// registry.json, and commit it as publish commits (pushed when DIR is a url). Also the index of a new
// registry (`registry init`), from the files it is about to commit.
import fs from "node:fs/promises";
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import { gitBlobId, type ObjectFormat } from "../git/blob-id.js";
import { SHARD_CONFIG, shardPath } from "../sources/index/shard-path.js";
import { withSmallYoungGeneration } from "../util/small-young-generation.js";
import { commitChange, repoGit, withRegistryRepo, type Change } from "./registry-repo.js";
import { withRegistryJsonFile } from "./registry-json-file.js";
import { committedBlobs, configText, parseIndexConfig, readIndexFile, shardText, versionPaths, type IndexWrite } from "./registry-shards.js";
import { MAX_SHARD_BYTES } from "../sources/git-registry/shard-json.js";

export interface RegistryIndexOptions {
  /** a registry checkout, a git url or a configured registry name; default: the current directory */
  registry?: string;
  dryRun?: boolean;
}

export interface RegistryIndexResult {
  registry: string;
  agents: number;
  /** index files written (created or changed), config.json included */
  written: string[];
  /** shards of agents registry.json no longer has */
  removed: string[];
  /** index files that were already right */
  unchanged: number;
  commit: string | null;
  pushed: boolean;
  dryRun: boolean;
}

/** Every index file of a registry: config.json, then one shard per agent in registry.json order. */
export function buildIndex(agents: Record<string, Record<string, unknown>>, blobOf: (path: string) => string | undefined): IndexWrite[] {
  const names = Object.keys(agents);
  return [{ path: SHARD_CONFIG, content: configText(names.length) }, ...names.map((n) => ({ path: shardPath(n), content: shardText(n, agents[n]!, blobOf) }))];
}

/**
 * The index of files not committed yet (`registry init`): each version file's blob id from its bytes on
 * disk. A file that is not there (or not a regular file) gets no `blob`.
 */
export function indexOfWorkingFiles(dir: string, agents: Record<string, Record<string, unknown>>, format: ObjectFormat): IndexWrite[] {
  const blobs = new Map<string, string>();
  for (const p of Object.values(agents).flatMap(versionPaths)) {
    const r = tryReadRegularFile(path.join(dir, ...p.split("/")), { limit: MAX_AGENT_BYTES, noFollow: true });
    if (r.ok) blobs.set(p, gitBlobId(r.data, format));
  }
  return buildIndex(agents, (p) => blobs.get(p));
}

/**
 * Shard files under index/ (index/<aa>/<name>.json), relative to the checkout, sorted; symlinks are not
 * followed. `only`: those it keeps (a folder's listing at a time, not all 100,000 names at once).
 */
export async function existingShards(dir: string, only: (rel: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  const top = await fs.readdir(path.join(dir, "index"), { withFileTypes: true }).catch(() => []);
  for (const d of top) {
    if (!d.isDirectory()) continue;
    for (const f of await fs.readdir(path.join(dir, "index", d.name), { withFileTypes: true })) {
      const rel = `index/${d.name}/${f.name}`;
      if (f.isFile() && f.name.endsWith(".json") && only(rel)) out.push(rel);
    }
  }
  return out.sort();
}

export async function runRegistryIndex(o: RegistryIndexOptions, deps: Deps): Promise<RegistryIndexResult> {
  return withRegistryRepo(o.registry ?? ".", deps, (repo) => withRegistryJsonFile(repo, (reg) => withSmallYoungGeneration(async () => {
    const status = await repoGit(repo, ["--no-optional-locks", "status", "--porcelain", "--", "registry.json"]);
    if (status.trim()) {
      throw new AgentpkgError("E_LOCAL_EDITS", `${repo.label} has uncommitted changes to registry.json; the index is written from the committed registry`, {
        hint: `commit them first (cd ${repo.label} && git status)`,
      });
    }
    const config = readIndexFile(repo.dir, repo.label, SHARD_CONFIG);
    const parsed = config === undefined ? undefined : parseIndexConfig(config.toString("utf8"));
    if (typeof parsed === "string" && parsed.startsWith("has format")) {
      // a newer agentpkg's index: rewriting it in this format would throw away what that one added
      throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label}: ${SHARD_CONFIG} ${parsed}; nothing was written`, { hint: "use the agentpkg that wrote this index (upgrade agentpkg)" });
    }
    // registry.json is read an entry at a time, three times over, and each shard made when it is compared
    // and again when it is written: never the whole registry, nor every shard, in memory (docs/performance.md)
    const paths: string[] = [];
    for (const { entry } of reg.entries()) paths.push(...versionPaths(entry));
    const blobs = await committedBlobs(repo.dir, repo.env, paths);
    paths.length = 0;
    for (const { name, entry } of reg.entries()) {
      const missing = versionPaths(entry).find((p) => !blobs.has(p));
      if (missing !== undefined) {
        throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label}: ${missing} (${name}) is listed in registry.json but not committed; nothing was written`, {
          hint: "commit the file (or remove the version from registry.json), then run agentpkg registry index again",
        });
      }
    }
    const blobOf = (p: string) => blobs.get(p);
    // an existing file that cannot be read as a shard (too large, a symlink) is replaced as well
    const differs = (rel: string, content: string) => {
      const r = tryReadRegularFile(path.join(repo.dir, ...rel.split("/")), { limit: MAX_SHARD_BYTES, noFollow: true });
      return !r.ok || r.data.toString("utf8") !== content;
    };
    const written: Change["writes"] = [];
    const configWanted = configText(reg.count);
    if (differs(SHARD_CONFIG, configWanted)) written.push({ path: SHARD_CONFIG, content: configWanted });
    for (const { name, entry, at } of reg.entries()) {
      const rel = shardPath(name);
      if (differs(rel, shardText(name, entry, blobOf))) written.push({ path: rel, content: () => shardText(name, reg.entryAt(name, at), blobOf) });
    }
    // a shard is kept when its name is an agent's and its folder that agent's
    const kept = (rel: string) => {
      const name = path.posix.basename(rel, ".json");
      return reg.has(name) && shardPath(name) === rel;
    };
    const removed = await existingShards(repo.dir, (rel) => !kept(rel));
    const base: RegistryIndexResult = {
      registry: repo.label,
      agents: reg.count,
      written: written.map((w) => w.path),
      removed,
      unchanged: reg.count + 1 - written.length,
      commit: null,
      pushed: false,
      dryRun: o.dryRun === true,
    };
    if (o.dryRun || (written.length === 0 && removed.length === 0)) return base;
    const done = await commitChange(repo, {
      writes: written,
      removes: removed,
      pathspecs: ["index"],
      durable: false,
      message: `index ${base.agents} agent${base.agents === 1 ? "" : "s"} (${written.length} file${written.length === 1 ? "" : "s"} written, ${removed.length} removed)`,
    });
    // git keeps no folders: one emptied by a removal goes too (rmdir fails on a folder still holding files)
    for (const p of removed) await fs.rmdir(path.join(repo.dir, path.dirname(p))).catch(() => undefined);
    return { ...base, commit: done.commit, pushed: done.pushed };
  }, { optimizeForSize: true })));
}
