// Batched reads of version files from a registry mirror: every file a command needs from one commit comes
// out of one `git ls-tree` (500 paths a run) and one `git cat-file --batch` by object id, or, for a file or
// two, one `git cat-file --batch` by path; never git processes per file (DESIGN.md §7).
import { AgentpkgError } from "../../util/errors.js";
import { sha256 } from "../../util/hash.js";
import { isRegularFile, lsTreePaths } from "../../git/history.js";
import { objectSizes, readObjects, streamObjects } from "../../git/objects.js";
import { MAX_AGENT_BYTES, tooBig } from "../read-checks.js";
import type { VersionInfo } from "../source.js";

interface Request {
  commit: string;
  v: VersionInfo;
  resolve(content: Buffer): void;
  reject(err: unknown): void;
}

/**
 * `<commit>:<path>` makes git look the path up in the tree from the top for every name (a 100,000-agent
 * registry's agents/ tree is 4 MB: ~16 ms a file), where one ls-tree walks it once for 500 paths: by name
 * only for a file or two, when it saves the ls-tree run.
 */
const VOUCHED_MAX_FILES = 2;
/** Real agent files are a few KiB: 8 MiB covers hundreds at once; a larger batch takes the checked path. */
const VOUCHED_READ_BYTES = 8 * 1024 * 1024;

export class BlobReader {
  private queue: Request[] = [];
  private draining = false;

  constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly registry: string,
    /** brings the blobs a partial mirror lacks in at once (one fetch, not one per file) */
    private readonly prefetch: (oids: string[]) => Promise<void> = async () => undefined,
  ) {}

  /** The bytes of a regular file at a commit: a symlink is never followed, a large file never read. */
  read(commit: string, v: VersionInfo): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ commit, v, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * The bytes of many regular files at one commit, each handed to `each` (with its index in `vs`) as git
   * writes it, never all held: one ls-tree per 500 paths, one fetch of what a partial mirror lacks, one
   * `cat-file --batch` pass. Returns why each file it could not give was refused, by index. An exception
   * from `each` stops the read and is thrown.
   */
  async readEach(commit: string, vs: readonly VersionInfo[], each: (index: number, content: Buffer) => void): Promise<Map<number, unknown>> {
    const failed = new Map<number, unknown>();
    const reqs = vs.map((v, i): Request => ({ commit, v, resolve: (content) => each(i, content), reject: (err) => failed.set(i, err) }));
    if (reqs.length > 0) await this.readAt(commit, reqs);
    return failed;
  }

  /** Requests that arrive while a batch runs form the next batch. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const byCommit = new Map<string, Request[]>();
      for (const r of batch) {
        const same = byCommit.get(r.commit);
        if (same) same.push(r);
        else byCommit.set(r.commit, [r]);
      }
      await Promise.all([...byCommit].map(([commit, reqs]) => this.readAt(commit, reqs).catch((err) => reqs.forEach((r) => r.reject(err)))));
    }
    this.draining = false;
  }

  private async readAt(commit: string, reqs: Request[]): Promise<void> {
    const rest = reqs.length <= VOUCHED_MAX_FILES ? await this.readVouched(commit, reqs) : reqs;
    if (rest.length > 0) await this.readChecked(commit, rest);
  }

  /**
   * One `git cat-file --batch` of `<commit>:<path>` for the requests whose registry entry declares a sha256:
   * bytes that hash to it are exactly what the registry published, and nothing is ever followed (these are
   * git objects, not a checkout), so ls-tree's checks add nothing for them. Returns the other requests
   * (no sha256, missing, not a blob, too large, a different hash) for readChecked and its precise errors.
   */
  private async readVouched(commit: string, reqs: Request[]): Promise<Request[]> {
    const vouchable = reqs.filter((r) => r.v.sha256 !== undefined && !r.v.path.includes("\n"));
    if (vouchable.length === 0) return reqs;
    const objects = await readObjects(this.dir, vouchable.map((r) => `${commit}:${r.v.path}`), this.env, { maxOutput: VOUCHED_READ_BYTES }).catch(() => []);
    const done = new Set<Request>();
    vouchable.forEach((r, i) => {
      const o = objects[i];
      if (o?.type === "blob" && o.data.length <= MAX_AGENT_BYTES && sha256(o.data) === r.v.sha256) {
        r.resolve(o.data);
        done.add(r);
      }
    });
    return reqs.filter((r) => !done.has(r));
  }

  /**
   * ls-tree first: only a regular file within the size limit is read. Sizes come after the blobs are
   * present (ls-tree -l would make a partial mirror fetch each blob alone for its size).
   */
  private async readChecked(commit: string, reqs: Request[]): Promise<void> {
    const tree = await lsTreePaths(this.dir, commit, [...new Set(reqs.map((r) => r.v.path))], this.env);
    const listed: { r: Request; oid: string }[] = [];
    for (const r of reqs) {
      const entry = tree.get(r.v.path);
      if (!entry) {
        r.reject(new AgentpkgError("E_REGISTRY_INVALID", `${this.registry}: ${r.v.path} (${r.v.version}) is listed in registry.json but missing at commit ${commit.slice(0, 12)}`));
      } else if (entry.type !== "blob" || !isRegularFile(entry.mode)) {
        r.reject(new AgentpkgError("E_UNSAFE", `${this.registry}: ${r.v.path} is not a regular file (mode ${entry.mode}); symlinks and submodules are never followed`));
      } else listed.push({ r, oid: entry.oid });
    }
    if (listed.length === 0) return;
    const oids = [...new Set(listed.map((w) => w.oid))];
    await this.prefetch(oids);
    const sizes = await objectSizes(this.dir, oids, this.env);
    const wanted = listed.filter(({ r, oid }) => {
      const size = sizes.get(oid) ?? 0;
      if (size <= MAX_AGENT_BYTES) return true;
      r.reject(tooBig(this.registry, r.v, size));
      return false;
    });
    // each blob handed over as git writes it, then dropped here: memory holds one at a time
    const byOid = new Map<string, Request[]>();
    for (const { r, oid } of wanted) {
      const same = byOid.get(oid);
      if (same) same.push(r);
      else byOid.set(oid, [r]);
    }
    const unread = [...byOid.keys()];
    await streamObjects(this.dir, unread, this.env, (i, o) => {
      if (o?.type !== "blob" || !o.data) return;
      for (const r of byOid.get(unread[i]!)!) r.resolve(o.data);
      byOid.delete(unread[i]!);
    });
    for (const r of [...byOid.values()].flat()) {
      r.reject(new AgentpkgError("E_REGISTRY_INVALID", `${this.registry}: ${r.v.path} (${r.v.version}) could not be read at commit ${commit.slice(0, 12)}`));
    }
  }
}
