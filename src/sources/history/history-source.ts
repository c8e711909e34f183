import { AgentpkgError } from "../../util/errors.js";
import { own } from "../../util/json.js";
import { ensureMirror, fetchCommit, isCommitGone, type Mirror, type RefreshPolicy } from "../../store/git-mirrors.js";
import { readFileAt } from "../../git/history.js";
import { git } from "../../git/run.js";
import { semver } from "../../util/semver.js";
import { commitVersion, isCommitVersion } from "./git-versions.js";
import { assertSafeVersionPath, checkedFile, MAX_AGENT_BYTES, readAtHeadInstead } from "../read-checks.js";
import { readCachedIndex, writeCachedIndex, type SourceIndex } from "../index/source-index.js";
import { redactCredentials } from "../../util/redact.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "../source.js";

export interface HistorySourceOptions {
  cache: string;
  env: NodeJS.ProcessEnv;
  policy: RefreshPolicy;
  ttlMs: number;
  /** a progress line for the clone and the history read */
  progress?: (text: string) => void;
}

/** Builds the index of one head commit (and the cache key it is stored under). */
export interface IndexBuilder {
  key(mirror: Mirror): Promise<string>;
  build(mirror: Mirror, key: string): Promise<SourceIndex>;
}

/**
 * A git repository without registry.json (a plugin marketplace or a plain folder of agents), read from
 * a full-history mirror. Versions come from history, so each one carries the commit that holds it.
 */
export class HistorySource implements Source {
  protected constructor(
    readonly kind: "marketplace" | "plain",
    readonly name: string,
    readonly url: string,
    protected readonly mirror: Mirror,
    protected readonly index: SourceIndex,
    protected readonly env: NodeJS.ProcessEnv,
    protected readonly offline: boolean,
  ) {}

  /**
   * Files of the head commit read while building the index this run (path -> bytes: regular files within
   * the agent size limit), so installing one of them reads nothing again.
   */
  protected headFiles = new Map<string, Buffer>();
  /** Reads this run, by commit and path: a version resolved and then installed is read once. */
  private reads = new Map<string, Promise<FetchedFile>>();

  /** `given`: the history mirror type detection just fetched (so it is not fetched again) */
  protected static async load(kind: SourceIndex["kind"], url: string, o: HistorySourceOptions, builder: IndexBuilder, given?: Mirror): Promise<{ mirror: Mirror; index: SourceIndex }> {
    const mirror = given ?? (await ensureMirror(url, { ...o, history: true }));
    const key = await builder.key(mirror);
    let index = await readCachedIndex(mirror.dir, kind, key);
    if (!index) {
      o.progress?.("reading its history"); // once per new head commit: seconds for thousands of commits
      index = await builder.build(mirror, key);
      await writeCachedIndex(mirror.dir, index).catch(() => undefined); // a read-only cache only costs speed
    }
    return { mirror, index };
  }

  get commit(): string {
    return this.mirror.commit;
  }

  get fresh(): boolean {
    return this.mirror.fresh;
  }

  /** what was skipped while listing, and why */
  get warnings(): string[] {
    return this.index.warnings.map((w) => `${this.name}: ${w}`);
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    const idx = this.index;
    if (Object.hasOwn(idx.agents, name)) return idx.agents[name]!;
    const alias = own(idx.aliases, name);
    const aliased = alias === undefined ? undefined : own(idx.agents, alias);
    if (aliased) return { ...aliased, name };
    const what = this.kind === "marketplace" ? "plugins" : "folders";
    if (Object.hasOwn(idx.ambiguous, name)) {
      const choices = own(idx.ambiguous, name)!;
      throw new AgentpkgError("E_USAGE", `agent "${name}" is defined by several ${what} of registry ${this.name}: ${choices.join(", ")}`, {
        hint: `name the one you want, e.g. agentpkg install ${choices[0] ?? name}`,
      });
    }
    const plugin = name.includes(":") ? name.slice(0, name.indexOf(":")) : name;
    if (Object.hasOwn(idx.unsupported, plugin)) {
      const u = own(idx.unsupported, plugin)!;
      throw new AgentpkgError("E_NOT_FOUND", `plugin "${plugin}" of registry ${this.name} cannot be installed from: ${u.reason}`, {
        hint: u.url ? `add its repository as a registry of its own: agentpkg registry add ${plugin.toLowerCase().replace(/[^a-z0-9-]/g, "-")} ${redactCredentials(u.url)}` : "install its agents from where the plugin is published",
      });
    }
    return null;
  }

  async listAgents(): Promise<AgentEntry[]> {
    return Object.values(this.index.agents);
  }

  /**
   * `name@<commit>` for a commit no version was recorded at (a commit of a merged branch, or one inside a
   * version's span): the first-parent commit that brought it in is found, the version in force there is the
   * oldest listed one at or after it, and the file is read at the commit asked for. An agent versioned by
   * commits gets that commit's own prerelease version.
   */
  async versionAtCommit(entry: AgentEntry, ref: string): Promise<VersionInfo | undefined> {
    const run = (args: string[]) => git(args, { cwd: this.mirror.dir, env: this.env }).then((s) => s.trim(), () => "");
    const full = await run(["rev-parse", "--verify", "-q", `${ref}^{commit}`]);
    if (!/^[0-9a-f]{40}$/.test(full)) return undefined;
    const chain = (await run(["rev-list", "--first-parent", this.mirror.commit])).split("\n");
    const at = new Map(chain.map((c, i) => [c, i])); // 0 = the head, larger = older
    let merged = at.get(full);
    if (merged === undefined) {
      const above = (await run(["rev-list", "--first-parent", "--ancestry-path", `${full}..${this.mirror.commit}`])).split("\n").filter(Boolean);
      merged = above.length ? at.get(above[above.length - 1]!) : undefined;
    }
    if (merged === undefined) return undefined; // not in the history of the registry's branch
    const listed = Object.values(entry.versions).filter((v) => !v.yanked && v.commit !== undefined && at.has(v.commit) && semver.valid(v.version));
    if (!listed.length) return undefined;
    const inForce = listed.filter((v) => at.get(v.commit!)! <= merged!).sort((a, b) => at.get(b.commit!)! - at.get(a.commit!)!)[0] ?? listed.sort((a, b) => at.get(a.commit!)! - at.get(b.commit!)!)[0]!;
    const paths = [inForce.path, ...new Set(listed.map((v) => v.path))];
    let path: string | undefined;
    for (const p of paths) if (await run(["cat-file", "-t", `${full}:${p}`])) { path = p; break; }
    if (path === undefined) return undefined;
    // read at another commit than the version was listed at: its sha256 (if any) is not this file's
    if (inForce.provisional || !isCommitVersion(inForce.version)) return { ...inForce, sha256: undefined, path, commit: full };
    const time = Number(await run(["log", "-1", "--format=%ct", full]));
    return { version: commitVersion(time, full), path, commit: full };
  }

  async commitDir(commit: string): Promise<string> {
    if (commit !== this.mirror.commit) await fetchCommit(this.mirror, commit, this.env, this.offline);
    return this.mirror.dir;
  }

  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    assertSafeVersionPath(this.name, v);
    const at = commit ?? v.commit ?? this.mirror.commit;
    const key = `${at}\0${v.path}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.readAt(v, at);
      this.reads.set(key, read);
      read.catch(() => this.reads.delete(key));
    }
    const file = await read;
    return checkedFile(this.name, v, file.content, file.commit);
  }

  private async readAt(v: VersionInfo, at: string): Promise<FetchedFile> {
    const head = this.mirror.commit;
    const atHead = at === head ? this.headFiles.get(v.path) : undefined;
    if (atHead) return checkedFile(this.name, v, atHead, head);
    if (at !== head) {
      try {
        await fetchCommit(this.mirror, at, this.env, this.offline);
      } catch (err) {
        if (!isCommitGone(err)) throw err;
        const readHead = async () => checkedFile(this.name, v, await readFileAt(this.mirror.dir, head, v, this.env, this.name, MAX_AGENT_BYTES), head);
        return readAtHeadInstead(this.name, v, at, err, readHead);
      }
    }
    const content = await readFileAt(this.mirror.dir, at, v, this.env, this.name, MAX_AGENT_BYTES);
    return checkedFile(this.name, v, content, at);
  }
}
