// The v4 index of a registry.json registry (sources/index/registry-lines.ts), extracted once per commit.
import fs from "node:fs/promises";
import path from "node:path";
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { AgentpkgError } from "../../util/errors.js";
import { git } from "../../git/run.js";
import { tempPathFor } from "../../util/atomic.js";
import { offlineGitEnv, prefetchBlobs, type Mirror } from "../../store/git-mirrors.js";
import { ensureTrees } from "../../store/treeless.js";
import { INDEX_FORMAT, RegistryLines } from "../index/registry-lines.js";
import { parseEntryJson, RegistryLinesWriter } from "../index/registry-lines-writer.js";
import { fileSink } from "../index/byte-sink.js";
import { scanRegistryJson, type ScannedRegistry } from "../index/registry-json-scan.js";
import { FileBytes, type ScanBytes } from "../index/scan-bytes.js";
import { latestVersion } from "../resolve.js";
import { MAX_AGENT_BYTES } from "../read-checks.js";
import { isRegularFile, listBlobs } from "../../git/history.js";
import { blobToFile, objectSizes, streamObjects, type StreamedObject } from "../../git/objects.js";
import { READ_LIMITS } from "../../util/safe-read.js";
import { withSmallYoungGeneration } from "../../util/small-young-generation.js";
import { redactCredentials } from "../../util/redact.js";

/** Named by format too: agentpkg versions that share a cache keep their own index instead of redoing each other's. */
const indexPath = (mirror: Mirror): string => path.join(mirror.dir, `registry-${mirror.commit}.${INDEX_FORMAT}.lines`);

/** registry.json was read at the mirror's commit before (its index is cached): a registry, known without git. */
export function hasV4Index(mirror: Mirror, name: string): boolean {
  return cachedIndex(mirror, name) !== undefined;
}

/**
 * Indexes and marks of older commits go (any format: `registry-<commit>.*.json|lines`); this commit's in
 * other formats stay for other agentpkg versions.
 */
export async function dropOlderCommits(mirror: Mirror): Promise<void> {
  for (const f of await fs.readdir(mirror.dir)) {
    if (/^registry-[0-9a-f]+\.(.+\.)?(json|lines)$/.test(f) && !f.startsWith(`registry-${mirror.commit}.`)) await fs.rm(path.join(mirror.dir, f), { force: true });
  }
}

/** The cached index of the mirror's commit (its header only, so far); kept for the readIndex that follows. */
const indexes = new Map<string, RegistryLines | undefined>();
function cachedIndex(mirror: Mirror, name: string): RegistryLines | undefined {
  const file = indexPath(mirror);
  if (!indexes.has(file)) indexes.set(file, RegistryLines.open(file, name));
  return indexes.get(file);
}

/**
 * registry.json of the mirror's commit, extracted once per commit into the cached index (see
 * registry-lines.ts): a warm command reads that file and parses only the agents it asks for. Extracting
 * holds registry.json's bytes and one entry at a time, never the whole registry as objects.
 */
export async function readIndex(mirror: Mirror, env: NodeJS.ProcessEnv, name: string, offline: boolean, o: { newestFiles?: boolean } = {}): Promise<RegistryLines> {
  const cached = indexPath(mirror);
  const index = cachedIndex(mirror, name);
  if (index) return index;
  // a treeless mirror: every tree in one fetch before registry.json's lookup and the newest files' listing
  await ensureTrees(mirror, mirror.commit, env, offline);
  const entry = await lsTree(mirror, "registry.json", env, offline);
  if (!entry) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${name} (${redactCredentials(mirror.url)}) has no registry.json at its root`, {
      hint: "a registry is a git repository with registry.json at the top; see agentpkg registry init",
    });
  }
  if (!isRegularFile(entry.mode)) {
    throw new AgentpkgError("E_UNSAFE", `${name}: registry.json is not a regular file (mode ${entry.mode})`);
  }
  if (entry.size > READ_LIMITS.registryIndex) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${name}: registry.json is ${entry.size} bytes, over the ${READ_LIMITS.registryIndex}-byte limit`, {
      hint: "the registry's maintainers must split it (agentpkg reads registry.json whole)",
    });
  }
  // git writes registry.json to a private temp file, read a window at a time (never whole in memory)
  const json = tempPathFor(path.join(mirror.dir, "registry.json"));
  const jsonFd = openSync(json, "wx+", 0o600);
  try {
    await blobToFile(mirror.dir, entry.oid, entry.size, offline ? offlineGitEnv(env) : env, jsonFd);
    await dropOlderCommits(mirror);
    await withSmallYoungGeneration(async () => {
      const bytes = new FileBytes(jsonFd, entry.size);
      const scanned = scanRegistryJson(bytes, name);
      // a sharded registry reads files by blob id, never from this index: it keeps none
      const newestOf = o.newestFiles === false ? async () => new Map<string, Buffer>() : (paths: readonly string[]) => newestFiles(mirror, paths, env, offline);
      await writeIndex(cached, name, bytes, scanned, newestOf);
    });
  } finally {
    closeSync(jsonFd);
    rmSync(json, { force: true });
  }
  const fresh = RegistryLines.open(cached, name)!;
  indexes.set(cached, fresh);
  return fresh;
}

/** The index file, written to a temp file as it is built, then renamed into place. */
async function writeIndex(
  file: string,
  name: string,
  bytes: ScanBytes,
  scanned: ScannedRegistry,
  newestFilesOf: (paths: readonly string[]) => Promise<Map<string, Buffer>>,
): Promise<void> {
  const tmp = tempPathFor(file);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    const sink = fileSink(fd);
    const w = new RegistryLinesWriter(sink, name);
    const newest: string[] = [];
    const keepNewest = scanned.count <= NEWEST_FILES_MAX;
    for (const [agent, at] of scanned.agents) {
      const checked = w.agent(agent, parseEntryJson(bytes, at, agent, name));
      const latest = keepNewest && checked && latestVersion(checked);
      if (latest) newest.push(checked.versions[latest]!.path);
    }
    for (const [f, data] of await newestFilesOf(newest)) w.file(f, data);
    w.finish(scanned);
    sink.flush();
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/**
 * Newest files kept in an index at most: agent files are a few KiB, so this covers a few thousand
 * agents; a registry whose newest files are more or larger keeps none and is read from git (memory and
 * the time to extract stay bounded).
 */
const NEWEST_FILES_BYTES = 8 * 1024 * 1024;
const NEWEST_FILES_MAX = 4096;

/**
 * The newest version file of every agent (the one `install NAME` takes), read when the index is
 * extracted (one `ls-tree -r` and one streamed `cat-file --batch` by object id), so that installing a
 * newest version later runs no git at all. Only regular files within the size limit are kept, and
 * readVersion uses one only if its sha256 is the one registry.json declares.
 */
async function newestFiles(mirror: Mirror, paths: readonly string[], env: NodeJS.ProcessEnv, offline: boolean): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (paths.length === 0 || paths.length > NEWEST_FILES_MAX) return files;
  const wanted: { path: string; oid: string }[] = [];
  for (const [file, blob] of await listBlobs(mirror.dir, mirror.commit, new Set(paths), env)) if (isRegularFile(blob.mode)) wanted.push({ path: file, oid: blob.oid });
  let total = 0;
  const keep = (i: number, o: StreamedObject | undefined) => {
    if (o?.type !== "blob" || !o.data || o.data.length > MAX_AGENT_BYTES) return;
    total += o.data.length;
    if (total > NEWEST_FILES_BYTES) throw new Error("over the budget"); // stops git: none are kept
    files.set(wanted[i]!.path, o.data);
  };
  const oids = wanted.map((w) => w.oid);
  await prefetchBlobs(mirror, oids, env, offline)
    .then(() => streamObjects(mirror.dir, oids, offline ? offlineGitEnv(env) : env, keep, { maxObjectBytes: MAX_AGENT_BYTES }))
    .catch(() => files.clear());
  return files;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

/**
 * A file of the mirror's commit, with its size. Not `ls-tree -l`: on a partial mirror that reads the blob
 * for its size, so git would fetch it on its own, --offline or not; the blob comes through prefetchBlobs
 * (E_OFFLINE when --offline and missing), its size from one `cat-file --batch-check`.
 */
async function lsTree(mirror: Mirror, file: string, env: NodeJS.ProcessEnv, offline: boolean): Promise<TreeEntry | undefined> {
  const out = await git(["ls-tree", "--full-tree", mirror.commit, "--", file], { cwd: mirror.dir, env: offlineGitEnv(env) });
  const m = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(out);
  if (!m) return undefined;
  const entry = { mode: m[1]!, type: m[2]!, oid: m[3]!, size: 0 };
  if (entry.type !== "blob") return entry;
  await prefetchBlobs(mirror, [entry.oid], env, offline);
  entry.size = (await objectSizes(mirror.dir, [entry.oid], offlineGitEnv(env))).get(entry.oid) ?? 0;
  return entry;
}
