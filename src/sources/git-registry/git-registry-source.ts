import { AgentpkgError } from "../../util/errors.js";
import { ensureMirror, fetchCommit, isCommitGone, offlineGitEnv, prefetchBlobs, type Mirror, type RefreshPolicy } from "../../store/git-mirrors.js";
import { ensureTrees } from "../../store/treeless.js";
import type { RegistryLines } from "../index/registry-lines.js";
import { assertSafeVersionPath, checkedFile, MAX_AGENT_BYTES, readAtHeadInstead } from "../read-checks.js";
import { BlobReader } from "./blob-batch.js";
import { BlobsById } from "./objects-by-id.js";
import { dropOlderCommits, hasV4Index, readIndex } from "./registry-index.js";
import { cachedShardConfig, readShardConfig, ShardReader } from "./sharded-index.js";
import type { ShardConfig } from "./shard-json.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import { eachLimit } from "../../util/each-limit.js";
import type { AgentEntry, AgentSummary, FetchedFile, Source, VersionInfo } from "../source.js";

/** The mirror's commit: a registry.json registry (its cached v4 index) or a sharded one (its remembered config). */
export function hasCachedIndex(mirror: Mirror, name: string): boolean {
  return cachedShardConfig(mirror) !== undefined || hasV4Index(mirror, name);
}

/**
 * A git repository with registry.json at its root (DESIGN.md §3), read from a shallow mirror. When its
 * commit carries a sharded index (index/config.json, format 1), `getAgent` reads that agent's shard only and
 * version files are read by their blob id; listing every agent (search, list, completion) still reads
 * registry.json, through the v4 index built on first use.
 */
export class GitRegistrySource implements Source {
  readonly kind = "registry" as const;
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly mirror: Mirror,
    /** a sharded registry's config.json; undefined: registry.json only */
    private readonly shards: ShardConfig | undefined,
    index: RegistryLines | undefined,
    private readonly env: NodeJS.ProcessEnv,
    private readonly offline: boolean,
  ) {
    // offline, a blob a partial mirror lacks is an error, never fetched on demand
    this.blobs = new BlobReader(mirror.dir, offline ? offlineGitEnv(env) : env, name, (oids) => prefetchBlobs(mirror, oids, env, offline));
    this.byId = new BlobsById(mirror, env, offline, MAX_AGENT_BYTES);
    this.shardReader = shards ? new ShardReader({ mirror, env, offline, label: name }) : undefined;
    if (index) this.v4 = Promise.resolve(index);
  }

  /** version files are read in batches: one ls-tree and one cat-file per commit, not two git runs per file */
  private readonly blobs: BlobReader;
  private readonly byId: BlobsById;
  /** registry.json's index: at once for a registry.json registry, on first listing for a sharded one */
  private v4?: Promise<RegistryLines>;
  /** older commits (a lockfile's) made present once each, however many agents need them */
  private readonly fetched = new Map<string, Promise<void>>();
  /** commits whose trees were made present (one fetch each, before files are read by path) */
  private readonly trees = new Map<string, Promise<void>>();
  private readonly shardReader: ShardReader | undefined;
  /**
   * The blob ids of the versions in the shards read (path -> id, at the mirror's commit): the change
   * pipeline reads a version by what the lock keeps (path, sha256), which has no blob id.
   */
  private readonly blobIds = new Map<string, string>();

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
    const make = (shards: ShardConfig | undefined, index: RegistryLines | undefined) => new GitRegistrySource(name, url, m, shards, index, o.env, offline);
    const remembered = cachedShardConfig(m);
    if (remembered) return make(remembered, undefined);
    if (hasV4Index(m, name)) return make(undefined, await readIndex(m, o.env, name, offline));
    const shards = await readShardConfig({ mirror: m, env: o.env, offline, label: name });
    if (!shards) return make(undefined, await readIndex(m, o.env, name, offline));
    await dropOlderCommits(m);
    return make(shards, undefined);
  }

  private index(): Promise<RegistryLines> {
    return (this.v4 ??= readIndex(this.mirror, this.env, this.name, this.offline, { newestFiles: !this.shards }));
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    if (!this.shardReader) return (await this.index()).get(name);
    const entry = await this.shardReader.read(name);
    for (const v of Object.values(entry?.versions ?? {})) if (v.blob) this.blobIds.set(v.path, v.blob);
    return entry;
  }

  async listAgents(): Promise<AgentEntry[]> {
    return (await this.index()).all();
  }

  async agentSummaries(words: readonly string[]): Promise<AgentSummary[]> {
    return (await this.index()).summaries(words);
  }

  async countAgents(): Promise<number> {
    return this.shards ? this.shards.agents : (await this.index()).count();
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

  /** every tree of `commit` made present (one fetch, once), before files are read by path */
  private treesAt(commit: string): Promise<void> {
    let trees = this.trees.get(commit);
    if (!trees) this.trees.set(commit, (trees = ensureTrees(this.mirror, commit, this.env, this.offline)));
    return trees;
  }

  /** the file at `v.path` in `commit`, every tree of which is made present first */
  private async readByPath(commit: string, v: VersionInfo): Promise<Buffer> {
    await this.treesAt(commit);
    return this.blobs.read(commit, v);
  }

  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    assertSafeVersionPath(this.name, v); // git would take "../x" relative to its working folder
    const head = this.mirror.commit;
    const at = commit ?? v.commit ?? head;
    const kept = at === head && v.sha256 && !this.shards ? (await this.index()).file(v.path) : undefined;
    if (kept) {
      try {
        return checkedFile(this.name, v, kept, at); // verifies the sha256
      } catch {
        // a damaged cached copy: read it from git below
      }
    }
    // a shard's blob id: the file without walking a tree (a hint: the sha256 decides, else the path is read)
    const blob = at === head ? (v.blob ?? this.blobIds.get(v.path)) : undefined;
    if (blob && v.sha256) {
      const content = await this.byId.read(blob).catch((err: unknown) => {
        if (err instanceof AgentpkgError && err.code === "E_OFFLINE") throw err;
        return undefined;
      });
      if (content) {
        try {
          return checkedFile(this.name, v, content, at);
        } catch {
          // not the file registry.json declares: read its path below
        }
      }
    }
    if (at !== head) {
      try {
        await this.present(at);
      } catch (err) {
        if (!isCommitGone(err)) throw err;
        return readAtHeadInstead(this.name, v, at, err, async () => checkedFile(this.name, v, await this.readByPath(head, v), head));
      }
    }
    return checkedFile(this.name, v, await this.readByPath(at, v), at);
  }

  async readVersions(items: readonly { v: VersionInfo; commit?: string | null }[], each: (index: number, file: FetchedFile) => void): Promise<void> {
    const head = this.mirror.commit;
    const index = this.shards ? undefined : await this.index(); // a registry.json registry keeps its newest files
    const byCommit = new Map<string, number[]>();
    const byId: { i: number; blob: string }[] = [];
    items.forEach(({ v, commit }, i) => {
      const at = commit ?? v.commit ?? head;
      if (!isSafeRegistryPath(v.path)) return; // left to readVersion, which says why
      const blob = at === head && v.sha256 ? (v.blob ?? this.blobIds.get(v.path)) : undefined;
      if (blob) return void byId.push({ i, blob });
      if (at === head && v.sha256 && index?.file(v.path)) return; // readVersion takes it from the index
      const same = byCommit.get(at);
      if (same) same.push(i);
      else byCommit.set(at, [i]);
    });
    const give = (i: number, content: Buffer, at: string) => {
      let file: FetchedFile;
      try {
        file = checkedFile(this.name, items[i]!.v, content, at);
      } catch {
        return; // another sha256: left to readVersion, which reads the path or says why not
      }
      each(i, file);
    };
    // a shard's blob ids: asked in one tick, so BlobsById reads them in one batch (as readVersion's would)
    const viaIds = Promise.all(byId.map(({ i, blob }) => this.byId.read(blob).then((content) => give(i, content, head), () => undefined)));
    // a lock's agents come from as many commits as they were installed at: a few of those read at once
    const viaPaths = eachLimit([...byCommit], COMMITS_AT_ONCE, async ([at, batch]) => {
      // an older commit that is gone, trees that cannot be fetched: left to readVersion (the file at the head, or why not)
      const readable = (at === head || (await this.present(at).then(() => true, () => false))) && (await this.treesAt(at).then(() => true, () => false));
      if (!readable) return;
      // a file refused (missing, not a regular file, too large) is left to readVersion too
      await this.blobs.readEach(at, batch.map((i) => items[i]!.v), (j, content) => give(batch[j]!, content, at));
    });
    await Promise.all([viaIds, viaPaths]);
  }

}
/** Commits whose files readVersions reads at once (each one ls-tree, one cat-file --batch-check, one --batch). */
const COMMITS_AT_ONCE = 4;
