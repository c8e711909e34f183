// The `plugins` section of the lockfile (lockfileVersion 2): per plugin, where it came from, and every file
// and shared-file entry agentpkg wrote for it, each with the sha256 of what was written.
import { semver } from "../util/semver.js";
import { isPlainObject } from "../util/json.js";
import { SHA256_RE } from "../util/hash.js";
import { isValidAgentName } from "../util/names.js";
import { isSafeRegistryPath } from "../util/safe-path.js";
import { isNormalRelative } from "./scope.js";
import { mcpHost, SETTINGS_FILE } from "./shared-hosts.js";

/** What a file is to Claude Code. */
export type PartKind = "agent" | "command" | "skill" | "output-style" | "file" | "hook" | "mcp";
const KINDS: readonly PartKind[] = ["agent", "command", "skill", "output-style", "file", "hook", "mcp"];

/** One file (or shared-file entry) of a plugin, as written. */
export interface PluginFileLock {
  kind: PartKind;
  /** the part's name as Claude Code shows it */
  part: string;
  /** the plugin file it comes from, relative to the plugin's root */
  path: string;
  /** sha256 of what was written (the pristine content) */
  sha256: string;
  /** sha256 of the file when it intentionally differs (a clean merge) */
  localSha256?: string;
  executable?: boolean;
  /** a file kept as edited through an upgrade: the version (and commit) its pristine content is from */
  version?: string;
  commit?: string | null;
}

/** Where a plugin's files come from when it lives outside the registry's own repository. */
export interface PluginOrigin {
  url: string;
  commit: string;
}

export interface PluginLock {
  version: string;
  registry: string;
  url: string;
  /** the registry commit the plugin was listed at */
  commit: string | null;
  /** the plugin's folder in its repository ("" = the repository's root) */
  root: string;
  origin?: PluginOrigin;
  /** a signed registry's: the fingerprint of the key that signed `commit` (`SHA256:...`) */
  signer?: string;
  /** installed parts only (install PLUGIN:PART); absent: the whole plugin */
  parts?: string[];
  /** project file, or `<shared file>#<key>` for a hook group or MCP server -> what was written */
  files: Record<string, PluginFileLock>;
}

const FILE_KEYS = new Set(["kind", "part", "path", "sha256", "localSha256", "executable", "version", "commit"]);
/** An SSH key's fingerprint as ssh-keygen and git print it (a signed registry's `signer`). */
export const SIGNER_RE = /^SHA256:[A-Za-z0-9+/]{43}$/;

const PLUGIN_KEYS = new Set(["version", "registry", "url", "commit", "root", "origin", "parts", "files", "signer"]);

const ENTRY_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";
const HOOK_TARGET = new RegExp(`^${escape(SETTINGS_FILE)}#hooks/${ENTRY_NAME}/[0-9a-f]{12}$`);
const MCP_TARGET = { project: new RegExp(`^${escape(mcpHost(false))}#mcpServers/${ENTRY_NAME}$`), user: new RegExp(`^${escape(mcpHost(true))}#mcpServers/${ENTRY_NAME}$`) };

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Where each kind of plugin file may be written (a lock may never point agentpkg anywhere else). MCP servers
 * go to the project's .mcp.json, or in the user scope (`global`) to ~/.claude.json.
 */
export function isSafePluginTarget(file: string, kind: PartKind, key: string, global = false): boolean {
  if (kind === "hook") return HOOK_TARGET.test(file);
  if (kind === "mcp") return MCP_TARGET[global ? "user" : "project"].test(file);
  if (!isNormalRelative(file) || file.includes("#")) return false;
  const prefix: Record<Exclude<PartKind, "hook" | "mcp">, string> = {
    agent: ".claude/agents/",
    command: ".claude/commands/",
    skill: ".claude/skills/",
    "output-style": ".claude/output-styles/",
    file: `.claude/agentpkg/plugins/${key}/`,
  };
  const p = prefix[kind];
  return file.startsWith(p) && file.length > p.length && (kind === "file" || kind === "skill" || file.endsWith(".md"));
}

/** The `plugins` of a lock of the project (or, `global`, of the user scope, whose MCP servers live elsewhere). */
export function parsePluginLocks(raw: unknown, fail: (msg: string) => never, global = false): Record<string, PluginLock> {
  if (!isPlainObject(raw)) return fail(`"plugins" must be an object`);
  const out: Record<string, PluginLock> = Object.create(null) as Record<string, PluginLock>;
  for (const [key, p] of Object.entries(raw)) {
    const at = `plugins.${key}`;
    if (!isValidAgentName(key)) fail(`invalid plugin name ${JSON.stringify(key)}`);
    if (!isPlainObject(p)) return fail(`${at} must be an object`);
    for (const k of Object.keys(p)) if (!PLUGIN_KEYS.has(k)) fail(`${at}: unknown field "${k}"`);
    const str = (k: string): string => (typeof p[k] === "string" && p[k] !== "" ? (p[k] as string) : fail(`${at}.${k} must be a non-empty string`));
    const lock: PluginLock = {
      version: str("version"),
      registry: str("registry"),
      url: str("url"),
      commit: p.commit === null ? null : str("commit"),
      root: typeof p.root === "string" && (p.root === "" || isSafeRegistryPath(p.root)) ? p.root : fail(`${at}.root must be a folder inside its repository`),
      files: {},
    };
    if (!semver.valid(lock.version)) fail(`${at}.version "${lock.version}" is not a semver version`);
    if (lock.commit !== null && !/^[0-9a-f]{7,64}$/.test(lock.commit)) fail(`${at}.commit is not a commit id`);
    if (p.origin !== undefined) {
      const o = p.origin;
      if (!isPlainObject(o) || typeof o.url !== "string" || typeof o.commit !== "string" || !/^[0-9a-f]{40}$/.test(o.commit)) fail(`${at}.origin must be { "url", "commit" }`);
      lock.origin = { url: (o as { url: string }).url, commit: (o as { commit: string }).commit };
    }
    if (p.signer !== undefined) lock.signer = SIGNER_RE.test(str("signer")) ? str("signer") : fail(`${at}.signer is not an SSH key fingerprint (SHA256:...)`);
    if (p.parts !== undefined) {
      if (!Array.isArray(p.parts) || !p.parts.every((x) => typeof x === "string" && x !== "")) fail(`${at}.parts must be a list of part names`);
      lock.parts = [...(p.parts as string[])];
    }
    if (!isPlainObject(p.files)) return fail(`${at}.files must be an object`);
    for (const [file, f] of Object.entries(p.files)) lock.files[file] = parseFileLock(file, f, key, `${at}.files["${file}"]`, fail, global);
    out[key] = lock;
  }
  return out;
}

function parseFileLock(file: string, f: unknown, key: string, at: string, fail: (msg: string) => never, global: boolean): PluginFileLock {
  if (!isPlainObject(f)) return fail(`${at} must be an object`);
  for (const k of Object.keys(f)) if (!FILE_KEYS.has(k)) fail(`${at}: unknown field "${k}"`);
  const kind = f.kind as PartKind;
  if (!KINDS.includes(kind)) fail(`${at}.kind must be one of ${KINDS.join(", ")}`);
  if (!isSafePluginTarget(file, kind, key, global)) fail(`${at}: ${kind === "mcp" ? "an MCP server entry" : kind === "hook" ? "a hook entry" : kind === "file" ? "a plugin file" : `a ${kind} file`} may not be written there${kind === "mcp" ? ` (MCP servers go to ${mcpHost(global)}${global ? " in the user scope" : ""})` : ""}`);
  if (typeof f.part !== "string" || f.part === "") fail(`${at}.part must be a name`);
  if (typeof f.path !== "string" || !isSafeRegistryPath(f.path)) fail(`${at}.path must be a relative path inside the plugin`);
  const sha = (k: string) => (typeof f[k] === "string" && SHA256_RE.test(f[k] as string) ? (f[k] as string) : fail(`${at}.${k} is not a sha256 hex digest`));
  const out: PluginFileLock = { kind, part: f.part as string, path: f.path as string, sha256: sha("sha256") };
  if (f.localSha256 !== undefined) out.localSha256 = sha("localSha256");
  if (f.executable !== undefined) {
    if (f.executable !== true) fail(`${at}.executable must be true when present`);
    out.executable = true;
  }
  if (f.version !== undefined) {
    if (typeof f.version !== "string" || !semver.valid(f.version)) fail(`${at}.version is not a semver version`);
    out.version = f.version as string;
  }
  if (f.commit !== undefined) {
    if (f.commit !== null && (typeof f.commit !== "string" || !/^[0-9a-f]{7,64}$/.test(f.commit))) fail(`${at}.commit is not a commit id`);
    out.commit = f.commit as string | null;
  }
  return out;
}

/** What a plugin's files are (kind, part, source path, content), without what the project did with them. */
export function contentOf(p: PluginLock): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [file, f] of Object.entries(p.files)) out[file] = [f.kind, f.part, f.path, f.version === undefined ? f.sha256 : "kept", f.executable === true];
  return out;
}
