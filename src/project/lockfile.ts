import { semver } from "../util/semver.js";
import { AgentpkgError } from "../util/errors.js";
import { dict, isPlainObject, parseJsonFile, sortedKeys, sortKeys } from "../util/json.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";
import { parsePluginLocks, SIGNER_RE, type PartKind, type PluginFileLock, type PluginLock, type PluginOrigin } from "./lock-plugins.js";
import { isValidAgentRef } from "../util/names.js";
import { SHA256_RE } from "../util/hash.js";
import { isSafeRegistryPath } from "../util/safe-path.js";
import { classifyGitUrl } from "../git/run.js";
import { isNormalRelative } from "./scope.js";

/** Version 1: agents only. Version 2 adds plugins; a lock without plugins is still written as version 1. */
export const LOCKFILE_VERSION = 1;
export const LOCKFILE_VERSION_PLUGINS = 2;

/** Exactly what agentpkg wrote for one agent. */
export interface LockEntry {
  version: string;
  /** registry name as configured in the manifest ("default" = the bundled registry) */
  registry: string;
  /** registry git url, or "builtin" for the registry bundled with agentpkg */
  url: string;
  /** registry commit the content was read from (null for builtin) */
  commit: string | null;
  /** path of the version file inside the registry */
  path: string;
  /** sha256 of the pristine registry content */
  sha256: string;
  /** installed file, relative to the scope root, always under .claude/agents/ */
  file: string;
  /** sha256 of the installed file when it intentionally differs from the pristine content (a clean merge) */
  localSha256?: string;
  /** a signed registry's: the fingerprint of the key that signed `commit` (`SHA256:...`) */
  signer?: string;
}

export interface Lockfile {
  lockfileVersion: number;
  agents: Record<string, LockEntry>;
  plugins: Record<string, PluginLock>;
}

export type { PartKind, PluginFileLock, PluginLock, PluginOrigin };

/**
 * One file agentpkg wrote, as the lock knows it: the coordinates of the package it came from (version,
 * registry, url, commit), its own (path in the source, sha256, place in the project), the package's key,
 * and what Claude Code sees in it. Plans, edit detection and reviews work on these, file by file.
 */
export interface LockedFile extends LockEntry {
  /** the package's key in the manifest and lock */
  name: string;
  kind: PartKind;
  /** the part's name as Claude Code shows it */
  part: string;
  /** set for the files of a plugin: where the plugin is (and which of its parts are installed) */
  plugin?: { root: string; origin?: PluginOrigin; parts?: string[] };
  executable?: boolean;
}

/** Every file a lock says agentpkg wrote, by its place in the project. Two entries naming one file are refused. */
export function lockedFiles(lock: Lockfile, label: string): Map<string, LockedFile> {
  const files = new Map<string, LockedFile>();
  for (const name of Object.keys(lock.agents)) {
    const entry = lock.agents[name]!;
    const other = files.get(entry.file);
    if (other) {
      throw new AgentpkgError("E_USAGE", `${other.name} and ${name} would both be ${entry.file} (${label})`, {
        hint: `install only one of them: agentpkg remove ${other.name}, or install ${name} from another registry`,
      });
    }
    files.set(entry.file, agentFile(name, entry));
  }
  for (const name of Object.keys(lock.plugins)) {
    for (const f of pluginFiles(name, lock.plugins[name]!)) {
      const other = files.get(f.file);
      if (other) {
        throw new AgentpkgError("E_USAGE", `${other.name} and ${name} would both write ${f.file} (${label})`, {
          hint: `install only one of them (agentpkg remove ${other.name}), or only some parts of ${name} (agentpkg install ${name}:PART)`,
        });
      }
      files.set(f.file, f);
    }
  }
  return files;
}

/**
 * An agent's entry as the file it wrote, field by field: V8 gives every object built as `{ ...entry, name }`
 * a hidden class of its own (~0.5 KB, never freed by a minor GC), and a lock of 5,000 agents makes these often.
 */
function agentFile(name: string, e: LockEntry): LockedFile {
  const f: LockedFile = { version: e.version, registry: e.registry, url: e.url, commit: e.commit, path: e.path, sha256: e.sha256, file: e.file, name, kind: "agent", part: name.slice(name.indexOf(":") + 1) };
  if (e.localSha256 !== undefined) f.localSha256 = e.localSha256;
  if (e.signer !== undefined) f.signer = e.signer;
  return f;
}

/** The files of one locked plugin, each with the plugin's coordinates (or the older ones it was kept at). */
export function pluginFiles(name: string, p: PluginLock): LockedFile[] {
  const plugin = { root: p.root, ...(p.origin ? { origin: p.origin } : {}), ...(p.parts ? { parts: p.parts } : {}) };
  return Object.entries(p.files).map(([file, f]) => ({
    version: f.version ?? p.version,
    registry: p.registry,
    url: p.url,
    commit: f.commit !== undefined ? f.commit : p.commit,
    path: f.path,
    sha256: f.sha256,
    file,
    ...(f.localSha256 ? { localSha256: f.localSha256 } : {}),
    name,
    kind: f.kind,
    part: f.part,
    plugin,
    ...(f.executable ? { executable: true } : {}),
  }));
}

/** The lock entry a locked agent file came from (the inverse of lockedFiles, for one agent). */
export function lockEntryOf(f: LockedFile): LockEntry {
  const { name: _name, kind: _kind, part: _part, plugin: _plugin, executable: _x, ...entry } = f;
  return entry;
}

/**
 * Set (or, with undefined, drop) what the lock says about one file of package `name`: an agent's entry, or
 * one file of a plugin (a file kept at an older version records that version and commit). `lock` must own
 * its `agents`, `plugins` and the touched plugin's `files` (see cloneLockfile).
 */
export function setLockedFile(lock: Lockfile, name: string, file: string, f: LockedFile | undefined): void {
  let plugin = Object.hasOwn(lock.plugins, name) ? lock.plugins[name] : undefined;
  if (!plugin && f?.plugin) {
    // a file of a plugin the lock no longer has (kept as edited while the plugin went): the plugin stays for it
    const { root, origin, parts } = f.plugin;
    plugin = { version: f.version, registry: f.registry, url: f.url, commit: f.commit, root, ...(origin ? { origin } : {}), ...(parts ? { parts } : {}), files: {} };
  }
  if (!plugin) {
    if (f) lock.agents[name] = lockEntryOf(f);
    else delete lock.agents[name];
    return;
  }
  const files = (lock.plugins[name] = { ...plugin, files: { ...plugin.files } }).files;
  if (!f) {
    delete files[file];
    return;
  }
  files[file] = {
    kind: f.kind,
    part: f.part,
    path: f.path,
    sha256: f.sha256,
    ...(f.localSha256 ? { localSha256: f.localSha256 } : {}),
    ...(f.executable ? { executable: true } : {}),
    ...(f.version !== plugin.version ? { version: f.version } : {}),
    ...(f.commit !== plugin.commit ? { commit: f.commit } : {}),
  };
}

/** `agents` is keyed by agent names, so it has no prototype (see dict). */
export function emptyLockfile(): Lockfile {
  return { lockfileVersion: LOCKFILE_VERSION, agents: dict(), plugins: dict() };
}

/** A copy whose records can be changed without touching `lock`'s (still without prototypes: never `{ ...lock.agents }`). */
export function cloneLockfile(lock: Lockfile): Lockfile {
  return { ...lock, agents: dict(lock.agents), plugins: dict(lock.plugins) };
}

const ENTRY_KEYS = new Set(["version", "registry", "url", "commit", "path", "sha256", "file", "localSha256", "signer"]);

/** Parse a lockfile; `global`: the user scope's (its MCP servers are entries of ~/.claude.json, not .mcp.json). */
export function parseLockfile(text: string, file: string, o: { global?: boolean } = {}): Lockfile {
  const raw = parseJsonFile(text, file, "E_LOCK_INVALID");
  const fail = (msg: string): never => {
    throw new AgentpkgError("E_LOCK_INVALID", `${file}: ${msg}`, {
      hint: "restore it from git (git checkout -- .claude/agentpkg.lock), or delete it and run agentpkg install",
    });
  };
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  if (raw.lockfileVersion !== LOCKFILE_VERSION && raw.lockfileVersion !== LOCKFILE_VERSION_PLUGINS) {
    throw new AgentpkgError("E_LOCK_UNSUPPORTED", `${file}: lockfileVersion ${JSON.stringify(raw.lockfileVersion)} is not supported (this agentpkg reads versions ${LOCKFILE_VERSION} and ${LOCKFILE_VERSION_PLUGINS})`, {
      hint: "upgrade agentpkg, or restore the lockfile from git",
    });
  }
  const known = raw.lockfileVersion === LOCKFILE_VERSION ? ["lockfileVersion", "agents"] : ["lockfileVersion", "agents", "plugins"];
  for (const key of Object.keys(raw)) if (!known.includes(key)) fail(`unknown field "${key}"`);
  if (!isPlainObject(raw.agents)) return fail(`"agents" must be an object`);
  const lock = emptyLockfile();
  lock.lockfileVersion = raw.lockfileVersion;
  if (raw.plugins !== undefined) lock.plugins = parsePluginLocks(raw.plugins, fail, o.global === true);
  const urls = new Set<string>(); // a lock has a few registries for many agents: each url is checked once
  for (const [name, e] of Object.entries(raw.agents)) {
    if (!isValidAgentRef(name)) fail(`invalid agent name ${JSON.stringify(name)}`);
    if (!isPlainObject(e)) return fail(`agents.${name} must be an object`);
    for (const key of Object.keys(e)) if (!ENTRY_KEYS.has(key)) fail(`agents.${name}: unknown field "${key}"`);
    const str = (k: string): string => (typeof e[k] === "string" && e[k] !== "" ? (e[k] as string) : fail(`agents.${name}.${k} must be a non-empty string`));
    const entry: LockEntry = {
      version: str("version"),
      registry: str("registry"),
      url: str("url"),
      commit: e.commit === null ? null : str("commit"),
      path: str("path"),
      sha256: str("sha256"),
      file: str("file"),
    };
    if (e.localSha256 !== undefined) entry.localSha256 = str("localSha256");
    if (e.signer !== undefined) entry.signer = SIGNER_RE.test(str("signer")) ? str("signer") : fail(`agents.${name}.signer is not an SSH key fingerprint (SHA256:...)`);
    if (!semver.valid(entry.version)) fail(`agents.${name}.version "${entry.version}" is not a semver version`);
    if (!SHA256_RE.test(entry.sha256)) fail(`agents.${name}.sha256 is not a sha256 hex digest`);
    if (entry.localSha256 && !SHA256_RE.test(entry.localSha256)) fail(`agents.${name}.localSha256 is not a sha256 hex digest`);
    if (entry.commit !== null && !/^[0-9a-f]{7,64}$/.test(entry.commit)) fail(`agents.${name}.commit is not a commit id`);
    if (!isSafeAgentFile(entry.file)) fail(`agents.${name}.file must be a .md file inside .claude/agents/`);
    if (!urls.has(entry.url)) checkLockUrl(entry.url, `agents.${name}.url`, fail);
    urls.add(entry.url);
    // the lock names a file inside the registry: checked as strictly as registry.json's paths, and never echoed
    if (!isSafeRegistryPath(entry.path)) fail(`agents.${name}.path must be a relative path inside the registry (no "..", no leading "/")`);
    lock.agents[name] = entry;
  }
  return lock;
}

/** A lock's url is a registry url like the manifest's ("builtin" included: a path to git), never with credentials. */
function checkLockUrl(url: string, where: string, fail: (msg: string) => never): void {
  try {
    classifyGitUrl(url);
  } catch (err) {
    if (err instanceof AgentpkgError) fail(`${where}: ${err.message}`); // the message shows the url redacted
    throw err;
  }
}

/** A lockfile may only ever point agentpkg at files inside .claude/agents/. */
export function isSafeAgentFile(rel: string): boolean {
  return rel.startsWith(".claude/agents/") && rel.endsWith(".md") && isNormalRelative(rel);
}

/**
 * Where an agent is installed: `name.md`, and `plugin:agent` (one of several same-named agents of a registry)
 * as `plugin/agent.md` (no plain name can map there: names have no "/"). Locks from agentpkg 0.1 may hold
 * `plugin--agent.md`; an installed agent keeps its file.
 */
export function agentFileFor(name: string): string {
  return `.claude/agents/${name.replace(":", "/")}.md`;
}

const SORTED_ENTRY_KEYS = [...ENTRY_KEYS].sort() as (keyof LockEntry)[];

/** stableStringify of the lock (sorted keys, 2-space indent), without its generic deep copy: 500 agents cost ~1 ms less. */
export function serializeLockfile(lock: Lockfile): string {
  const agents = dict<Partial<LockEntry>>();
  for (const name of sortedKeys(lock.agents)) {
    const entry = lock.agents[name]!;
    const sorted: Partial<LockEntry> = {};
    for (const key of SORTED_ENTRY_KEYS) if (entry[key] !== undefined) (sorted as Record<string, unknown>)[key] = entry[key];
    agents[name] = sorted;
  }
  if (Object.keys(lock.plugins).length === 0) return JSON.stringify({ agents, lockfileVersion: LOCKFILE_VERSION }, null, 2) + "\n";
  return JSON.stringify({ agents, lockfileVersion: LOCKFILE_VERSION_PLUGINS, plugins: sortKeys(lock.plugins) }, null, 2) + "\n";
}

/** The file's text, or undefined when there is none; `display` names it in errors (a device or pipe there is refused). */
export function readLockText(file: string, display = file): string | undefined {
  try {
    return readRegularFileIfExists(file, { limit: READ_LIMITS.projectFile, display })?.toString("utf8");
  } catch (err) {
    if (err instanceof AgentpkgError) throw err;
    throw new AgentpkgError("E_LOCK_INVALID", `${display}: cannot read (${(err as Error).message})`, { cause: err });
  }
}
