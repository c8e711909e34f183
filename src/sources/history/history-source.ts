import { AgentpkgError } from "../../util/errors.js";
import { own } from "../../util/json.js";
import { ensureMirror, fetchCommit, isCommitGone, type Mirror, type RefreshPolicy } from "../../store/git-mirrors.js";
import { readFileAt } from "../../git/history.js";
import { assertSafeVersionPath, checkedFile, MAX_AGENT_BYTES, readAtHeadInstead } from "../read-checks.js";
import { readCachedIndex, writeCachedIndex, type SourceIndex } from "../index/source-index.js";
import { redactCredentials } from "../../util/redact.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "../source.js";

export interface HistorySourceOptions {
  cache: string;
  env: NodeJS.ProcessEnv;
  policy: RefreshPolicy;
  ttlMs: number;
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

  protected static async load(kind: SourceIndex["kind"], url: string, o: HistorySourceOptions, builder: IndexBuilder): Promise<{ mirror: Mirror; index: SourceIndex }> {
    const mirror = await ensureMirror(url, { ...o, history: true });
    const key = await builder.key(mirror);
    let index = await readCachedIndex(mirror.dir, kind, key);
    if (!index) {
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

  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    assertSafeVersionPath(this.name, v);
    const at = commit ?? v.commit ?? this.mirror.commit;
    const head = this.mirror.commit;
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
