import type { EntryComponents, PluginFile } from "../plugin/layout.js";
import type { PluginJson } from "../plugin/plugin-json.js";
import type { PluginOrigin } from "../project/lockfile.js";
/** One published version of an agent, as a source describes it. */
export interface VersionInfo {
  version: string;
  /** path of the agent file inside the source (repo-relative, forward slashes) */
  path: string;
  /** sha256 of the file's bytes, hex; sources without one (plain repos) compute it when reading */
  sha256?: string;
  /** reason, when yanked: never resolves for new installs, a lockfile may keep it */
  yanked?: string | null;
  changelog?: string;
  /** commit that holds this version's file, when it differs from the snapshot's commit */
  commit?: string;
  /**
   * A sharded registry's hint: the git object id of the file at `path` in the snapshot's commit, read by id
   * without walking a tree (its content is still checked against `sha256`; `path` when it cannot be read).
   */
  blob?: string;
  /**
   * A plugin that lives in another repository: its url, and the branch or tag it follows or the exact
   * commit its marketplace pins (`sha`); `commit` is a lock's origin commit (read exactly there).
   * `path` is then the plugin's folder in that repository.
   */
  origin?: { url: string; ref?: string; sha?: string; commit?: string };
  /** the marketplace's label for the version: the plugin's own plugin.json (read when installed) may name another */
  provisional?: boolean;
}

export interface AgentEntry {
  name: string;
  description?: string;
  versions: Record<string, VersionInfo>;
  /** dist-tags: latest, next ... */
  tags: Record<string, string>;
  deprecated?: string | null;
  /** a marketplace's agent: the plugin it comes from */
  plugin?: string;
}

/** What search shows of an agent, without its versions: a registry's index keeps one per agent. */
export interface AgentSummary {
  name: string;
  description?: string;
  /** latestVersion of the entry */
  latest: string | null;
  deprecated: string | null;
}

export type SourceKind = "builtin" | "registry" | "marketplace" | "plain" | "tarball";

export type { RegistryType } from "../project/manifest.js";

/**
 * A plugin a source lists. Its versions resolve like an agent's (`path` is the plugin's folder in the
 * repository, `commit` the commit holding that version).
 */
export interface PluginEntry {
  name: string;
  description?: string;
  versions: Record<string, VersionInfo>;
  tags: Record<string, string>;
  deprecated?: string | null;
  /** its parts at the source's head, by kind (agent, command, skill, hook, mcp, output-style) */
  parts?: Record<string, number>;
  /** its commands at the source's head, by the names Claude Code shows (`plugin:cmd`) */
  commands?: string[];
  /** what a project cannot get of it (LSP servers, monitors ...), one line each */
  notes?: string[];
}

/** One version of a plugin, read: its files, its plugin.json, and what its marketplace entry adds. */
export interface PluginContent {
  files: Map<string, PluginFile>;
  pluginJson?: PluginJson;
  entry: EntryComponents;
  /** the commit the files were read at */
  commit: string;
  /** the plugin's folder in that repository ("" = its root) */
  root: string;
  /** where the files come from, when not the registry's own repository */
  origin?: PluginOrigin;
  /** the version the content itself declares (plugin.json), when it takes precedence over the listed one */
  version?: string;
  /** files skipped (symlinks, odd names), one line each */
  warnings: string[];
}

/** What a resolved version's bytes are and where they came from. */
export interface FetchedFile {
  content: Buffer;
  sha256: string;
  commit: string | null;
}

/**
 * A registry the project can install from. Implementations only describe and read;
 * operations decide what to write.
 */
export interface Source {
  readonly name: string;
  readonly url: string;
  readonly kind: SourceKind;
  /** commit of the snapshot this source reads (null when not a git snapshot) */
  readonly commit: string | null;
  /** false when read from a cached copy that a fetch could make newer (undefined: nothing to fetch) */
  readonly fresh?: boolean;
  /** what the source skipped while listing (unparseable agents, unsupported plugins), one line each */
  readonly warnings?: string[];
  getAgent(name: string): Promise<AgentEntry | null>;
  listAgents(): Promise<AgentEntry[]>;
  /**
   * Large registries: what search shows of the agents whose name, description, latest version or
   * deprecation holds each of `words` (lowercase), without reading every entry; a superset of search's
   * matches. Fails as listAgents would.
   */
  agentSummaries?(words: readonly string[]): Promise<AgentSummary[]>;
  /** How many agents listAgents would list, without reading them. Fails as listAgents would. */
  countAgents?(): Promise<number>;
  /**
   * Read one version's bytes, at `commit` when given (a lockfile's), else at the snapshot.
   * Must refuse oversized files and paths escaping the source, and verify sha256 when known; a file without
   * a known sha256 must also be a regular file (never a symlink). Bytes that match a declared sha256 are
   * what the registry published, whatever tree entry holds them: nothing is ever followed.
   */
  readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile>;
  /**
   * Many versions' bytes, each checked as readVersion checks it, handed to `each` (with its index) as it
   * arrives instead of all held at once: bounded memory and one batch of reads for a lock of thousands.
   * Those it does not hand over, the caller reads with readVersion (which has the ways round, as a
   * rewritten history's file at the head, and the precise errors). An exception from `each` stops the read
   * and is thrown.
   */
  readVersions?(items: readonly { v: VersionInfo; commit?: string | null }[], each: (index: number, file: FetchedFile) => void): Promise<void>;
  /**
   * A commit of the source's history that no listed version names (`name@<commit>`): the version in force
   * there, read at that commit; undefined when the commit is not in the history or the agent (or plugin
   * folder) did not exist there. Sources versioned by history only.
   */
  versionAtCommit?(entry: AgentEntry, ref: string): Promise<VersionInfo | undefined>;
  /**
   * git sources: make one commit of this repository present in the cache (fetched when missing, never
   * with --offline) and return the repository folder that holds it, to check its signature.
   */
  commitDir?(commit: string): Promise<string>;
  /** plugin marketplaces: their plugins, and a version's files */
  listPlugins?(): Promise<PluginEntry[]>;
  getPlugin?(name: string): Promise<PluginEntry | null>;
  readPlugin?(name: string, v: VersionInfo, commit?: string | null): Promise<PluginContent>;
}
