import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../../util/errors.js";
import { git, runGit } from "../../git/run.js";
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { tempPathFor } from "../../util/atomic.js";
import { ensureMirror, fetchCommit, isCommitGone, offlineGitEnv, prefetchBlobs, type Mirror, type RefreshPolicy } from "../../store/git-mirrors.js";
import { INDEX_FORMAT, RegistryLines } from "../index/registry-lines.js";
import { parseEntryJson, RegistryLinesWriter } from "../index/registry-lines-writer.js";
import { fileSink } from "../index/byte-sink.js";
import { scanRegistryJson, type ScannedRegistry } from "../index/registry-json-scan.js";
import { FileBytes, type ScanBytes } from "../index/scan-bytes.js";
import { latestVersion } from "../resolve.js";
import { assertSafeVersionPath, checkedFile, MAX_AGENT_BYTES, readAtHeadInstead } from "../read-checks.js";
import { isRegularFile, listBlobs } from "../../git/history.js";
import { blobToFile, streamObjects, type StreamedObject } from "../../git/objects.js";
import { READ_LIMITS } from "../../util/safe-read.js";
import { withSmallYoungGeneration } from "../../util/small-young-generation.js";
import { BlobReader } from "./blob-batch.js";
import { redactCredentials } from "../../util/redact.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import { eachLimit } from "../../util/each-limit.js";
import type { AgentEntry, AgentSummary, FetchedFile, Source, VersionInfo } from "../source.js";

/** A git repository with registry.json at its root (DESIGN.md §3), read from a shallow mirror. */
export class GitRegistrySource implements Source {
  readonly kind = "registry" as const;
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly mirror: Mirror,
    private readonly index: RegistryLines,
    private readonly env: NodeJS.ProcessEnv,
    private readonly offline: boolean,
  ) {
    // offline, a blob a partial mirror lacks is an error, never fetched on demand
    this.blobs = new BlobReader(mirror.dir, offline ? offlineGitEnv(env) : env, name, (oids) => prefetchBlobs(mirror, oids, env, offline));
  }

  /** version files are read in batches: one ls-tree and one cat-file per commit, not two git runs per file */
  private readonly blobs: BlobReader;
  /** older commits (a lockfile's) made present once each, however many agents need them */
  private readonly fetched = new Map<string, Promise<void>>();

  get commit(): string {
    return this.mirror.commit;
  }

  get fresh(): boolean {
    return this.mirror.fresh;
  }

  /** `mirror`: one the caller already brought up (type detection), so it is not looked at twice. */
  static async open(
    name: string,
    url: string,
    o: { cache: string; env: NodeJS.ProcessEnv; policy: RefreshPolicy; ttlMs: number },
    mirror?: Mirror,
  ): Promise<GitRegistrySource> {
    const m = mirror ?? (await ensureMirror(url, o));
    const offline = o.policy === "never";
    return new GitRegistrySource(name, url, m, await readIndex(m, o.env, name, offline), o.env, offline);
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    return this.index.get(name);
  }

  async listAgents(): Promise<AgentEntry[]> {
    return this.index.all();
  }

  async agentSummaries(words: readonly string[]): Promise<AgentSummary[]> {
    return this.index.summaries(words);
  }

  async countAgents(): Promise<number> {
    return this.index.count();
  }

  async commitDir(commit: string): Promise<string> {
    if (commit !== this.mirror.commit) await this.present(commit);
    return this.mirror.dir;
  }

  /** an older commit (a lockfile's) made present once, however many agents need it */
  private present(commit: string): Promise<void> {
    let fetched = this.fetched.get(commit);
    if (!fetched) this.fetched.set(commit, (fetched = fetchCommit(this.mirror, commit, this.env, this.offline)));
    return fetched;
  }

  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    assertSafeVersionPath(this.name, v); // git would take "../x" relative to its working folder
    const at = commit ?? v.commit ?? this.mirror.commit;
    const kept = at === this.mirror.commit && v.sha256 ? this.index.file(v.path) : undefined;
    if (kept) {
      try {
        return checkedFile(this.name, v, kept, at); // verifies the sha256
      } catch {
        // a damaged cached copy: read it from git below
      }
    }
    const head = this.mirror.commit;
    if (at !== head) {
      try {
        await this.present(at);
      } catch (err) {
        if (!isCommitGone(err)) throw err;
        return readAtHeadInstead(this.name, v, at, err, async () => checkedFile(this.name, v, await this.blobs.read(head, v), head));
      }
    }
    const content = await this.blobs.read(at, v);
    return checkedFile(this.name, v, content, at);
  }

  async readVersions(items: readonly { v: VersionInfo; commit?: string | null }[], each: (index: number, file: FetchedFile) => void): Promise<void> {
    const head = this.mirror.commit;
    const byCommit = new Map<string, number[]>();
    items.forEach(({ v, commit }, i) => {
      const at = commit ?? v.commit ?? head;
      // an unsafe path, a newest file the index keeps: left to readVersion's own ways
      if (!isSafeRegistryPath(v.path) || (at === head && v.sha256 && this.index.file(v.path))) return;
      const same = byCommit.get(at);
      if (same) same.push(i);
      else byCommit.set(at, [i]);
    });
    // a lock's agents come from as many commits as they were installed at: a few of those read at once
    await eachLimit([...byCommit], COMMITS_AT_ONCE, async ([at, batch]) => {
      // an older commit that is gone: left to readVersion, which finds the file at the head or says why not
      if (at !== head && !(await this.present(at).then(() => true, () => false))) return;
      // a file refused (missing, not a regular file, too large, another sha256) is left to readVersion too
      await this.blobs.readEach(at, batch.map((i) => items[i]!.v), (j, content) => {
        const i = batch[j]!;
        let file: FetchedFile;
        try {
          file = checkedFile(this.name, items[i]!.v, content, at);
        } catch {
          return;
        }
        each(i, file);
      });
    });
  }
}

/** Commits whose files readVersions reads at once (each one ls-tree, one cat-file --batch-check, one --batch). */
const COMMITS_AT_ONCE = 4;

/** Named by format too: agentpkg versions that share a cache keep their own index instead of redoing each other's. */
const indexPath = (mirror: Mirror): string => path.join(mirror.dir, `registry-${mirror.commit}.${INDEX_FORMAT}.lines`);

/** registry.json was read at the mirror's commit before (its index is cached): a registry, known without git. */
export async function hasCachedIndex(mirror: Mirror, name: string): Promise<boolean> {
  return cachedIndex(mirror, name) !== undefined;
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
async function readIndex(mirror: Mirror, env: NodeJS.ProcessEnv, name: string, offline: boolean): Promise<RegistryLines> {
  const cached = indexPath(mirror);
  const index = cachedIndex(mirror, name);
  if (index) return index;
  const entry = await lsTree(mirror.dir, mirror.commit, "registry.json", env);
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
    // indexes of older commits go (any format); this commit's in other formats stay for other versions
    for (const f of await fs.readdir(mirror.dir)) {
      if (/^registry-[0-9a-f]+\.(.+\.)?(json|lines)$/.test(f) && !f.startsWith(`registry-${mirror.commit}.`)) await fs.rm(path.join(mirror.dir, f), { force: true });
    }
    await withSmallYoungGeneration(async () => {
      const bytes = new FileBytes(jsonFd, entry.size);
      const scanned = scanRegistryJson(bytes, name);
      await writeIndex(cached, name, bytes, scanned, (paths) => newestFiles(mirror, paths, env, offline));
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

async function lsTree(dir: string, commit: string, file: string, env: NodeJS.ProcessEnv): Promise<TreeEntry | undefined> {
  const out = await git(["ls-tree", "-l", "--full-tree", commit, "--", file], { cwd: dir, env });
  const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t/.exec(out);
  if (!m) return undefined;
  return { mode: m[1]!, type: m[2]!, oid: m[3]!, size: m[4] === "-" ? 0 : Number(m[4]) };
}
