import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../../util/errors.js";
import { git, runGit } from "../../git/run.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { ensureMirror, fetchCommit, isCommitGone, type Mirror, type RefreshPolicy } from "../../store/git-mirrors.js";
import { INDEX_FORMAT, parseRegistryTop, RegistryLines, toRegistryLines } from "../index/registry-lines.js";
import { assertSafeVersionPath, checkedFile, MAX_AGENT_BYTES, readAtHeadInstead } from "../read-checks.js";
import { isRegularFile, listBlobs, readObjects } from "../../git/history.js";
import { semver } from "../../util/semver.js";
import { isPlainObject } from "../../util/json.js";
import { BlobReader } from "./blob-batch.js";
import { redactCredentials } from "../../util/redact.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "../source.js";

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
    this.blobs = new BlobReader(mirror.dir, env, name);
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
    return new GitRegistrySource(name, url, m, await readIndex(m, o.env, name), o.env, o.policy === "never");
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    return this.index.get(name);
  }

  async listAgents(): Promise<AgentEntry[]> {
    return this.index.all();
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
}

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
 * registry.json of the mirror's commit, extracted once per commit and cached one line per agent (see
 * registry-lines.ts): a warm command reads that file and parses only the agents it asks for.
 */
async function readIndex(mirror: Mirror, env: NodeJS.ProcessEnv, name: string): Promise<RegistryLines> {
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
  const text = (await runGit(["cat-file", "blob", entry.oid], { cwd: mirror.dir, env })).toString("utf8");
  const top = parseRegistryTop(text, name);
  const lines = toRegistryLines(top, name, await newestFiles(mirror, top.agents, env));
  // indexes of older commits go (any format); this commit's in other formats stay for other versions
  for (const f of await fs.readdir(mirror.dir)) {
    if (/^registry-[0-9a-f]+\.(.+\.)?(json|lines)$/.test(f) && !f.startsWith(`registry-${mirror.commit}.`)) await fs.rm(path.join(mirror.dir, f), { force: true });
  }
  await writeFileAtomic(cached, lines);
  const fresh = RegistryLines.from(lines, name)!;
  indexes.set(cached, fresh);
  return fresh;
}

/**
 * Newest files kept in an index at most: agent files are a few KiB, so this covers thousands of agents;
 * a registry whose newest files are larger keeps none and is read from git (memory stays bounded).
 */
const NEWEST_FILES_BYTES = 8 * 1024 * 1024;

/**
 * The file `install NAME` would take (latestVersion: the latest tag, else the highest plain x.y.z that is
 * not yanked), picked from an unchecked registry.json entry: only a hint for what to keep in the index.
 */
function newestFileOf(raw: unknown): string | undefined {
  if (!isPlainObject(raw) || !isPlainObject(raw.versions)) return undefined;
  const versions = raw.versions;
  const usable = (v: string) => Object.hasOwn(versions, v) && isPlainObject(versions[v]) && !(versions[v] as { yanked?: unknown }).yanked;
  const tagged = isPlainObject(raw.tags) && typeof raw.tags.latest === "string" && usable(raw.tags.latest) ? raw.tags.latest : undefined;
  let newest = tagged;
  if (!newest) for (const v of Object.keys(versions)) if (/^\d+\.\d+\.\d+$/.test(v) && usable(v) && (!newest || semver.compare(v, newest) > 0)) newest = v;
  const info = newest === undefined ? undefined : versions[newest];
  return isPlainObject(info) && typeof info.path === "string" ? info.path : undefined;
}

/**
 * The newest version file of every agent, read when the index is extracted (one `ls-tree -r` and one
 * `cat-file --batch` by object id: ~0.1 ms an agent, where asking git by path costs twice that), so that
 * installing a newest version later runs no git at all. Only regular files within the size limit are
 * kept, and readVersion uses one only if its sha256 is the one registry.json declares.
 */
async function newestFiles(mirror: Mirror, agents: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<Map<string, Buffer>> {
  const paths = new Set<string>();
  for (const raw of Object.values(agents)) {
    const file = newestFileOf(raw);
    if (file) paths.add(file);
  }
  const wanted: { path: string; oid: string }[] = [];
  for (const [file, blob] of await listBlobs(mirror.dir, mirror.commit, paths, env)) if (isRegularFile(blob.mode)) wanted.push({ path: file, oid: blob.oid });
  const files = new Map<string, Buffer>();
  const objects = await readObjects(mirror.dir, wanted.map((w) => w.oid), env, { maxOutput: NEWEST_FILES_BYTES }).catch(() => []);
  wanted.forEach((w, i) => {
    const data = objects[i]?.data;
    if (data && data.length <= MAX_AGENT_BYTES) files.set(w.path, data);
  });
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
