import { AgentpkgError } from "../util/errors.js";
import { isPlainObject, parseJsonFile, stableStringify } from "../util/json.js";
import { sha256, SHA256_RE } from "../util/hash.js";
import { parseLockfile, type Lockfile } from "../project/lockfile.js";
import { parseManifest, type Manifest } from "../project/manifest.js";
import { MAX_AGENT_BYTES, MAX_PLUGIN_FILE_BYTES } from "../util/limits.js";
import { readArchive, type ExtractPolicy } from "../archive/safe-extract.js";
import { refusal, tryReadRegularFile } from "../util/safe-read.js";
import { BUNDLE_VERSION, BUNDLE_VERSION_PLUGINS, bundleIndex, CONTENT_DIR, INDEX_ENTRY, lockedContent, LOCK_ENTRY, MANIFEST_ENTRY, pluginContent } from "./pack.js";

/** A bundle whose every byte has been checked: the lock, the manifest, and content matching each sha256. */
export interface Bundle {
  lockText: string;
  lock: Lockfile;
  manifestText?: string;
  manifest?: Manifest;
  /** pristine bytes by sha256 */
  content: Map<string, Buffer>;
}

const MIB = 1024 * 1024;

/**
 * Limits for bundles: a plugin's file is at most 16 MiB (as when it is installed), and content an agent uses at
 * most 1 MiB (Claude Code skips larger files; checked once the lock says which content is an agent's).
 */
export function bundlePolicy(label: string): ExtractPolicy {
  return {
    label,
    maxEntries: 5000,
    maxTotalBytes: MAX_BUNDLE_BYTES,
    maxFileBytes: (p) => (p.startsWith(CONTENT_DIR) ? MAX_PLUGIN_FILE_BYTES : 16 * MIB),
  };
}

/** What a bundle may hold in all, uncompressed. */
export const MAX_BUNDLE_BYTES = 64 * MIB;

function bad(label: string, msg: string): AgentpkgError {
  return new AgentpkgError("E_INTEGRITY", `${label}: ${msg}`, {
    hint: "the bundle is damaged or was tampered with; nothing was written. Make a new one with agentpkg pack",
  });
}

/** A bundle file is at most this large (its content is at most 64 MiB uncompressed, too). */
export const MAX_BUNDLE_FILE = 64 * MIB;

/**
 * Read a bundle file (a regular file: never a device or pipe) and verify it; `label` names it in errors.
 * `global`: for the user scope (its lock's MCP servers are entries of ~/.claude.json).
 */
export async function readBundleFile(file: string, label: string, o: { global?: boolean } = {}): Promise<Bundle> {
  const r = tryReadRegularFile(file, { limit: MAX_BUNDLE_FILE });
  if (r.ok) return readBundle(r.data, label, o);
  if (r.kind === "missing") throw new AgentpkgError("E_NOT_FOUND", `${label}: no such file`, { hint: "make one with agentpkg pack -o FILE" });
  throw refusal(r, MAX_BUNDLE_FILE, { display: label, what: "a bundle file", hint: "point --from at a bundle made by agentpkg pack -o FILE" });
}

/**
 * Read and verify a bundle (see pack.ts) entirely in memory: only the expected entry names, a lockfile
 * and index that agree, and content whose sha256 matches its name and the lock. Nothing is written.
 */
export async function readBundle(archive: Buffer, label: string, o: { global?: boolean } = {}): Promise<Bundle> {
  const files = await readArchive(archive, bundlePolicy(label));
  for (const name of files.keys()) {
    const known = name === LOCK_ENTRY || name === MANIFEST_ENTRY || name === INDEX_ENTRY;
    if (!known && !(name.startsWith(CONTENT_DIR) && SHA256_RE.test(name.slice(CONTENT_DIR.length)))) {
      throw bad(label, `unexpected entry ${JSON.stringify(name)} (a bundle holds ${LOCK_ENTRY}, ${INDEX_ENTRY}, ${MANIFEST_ENTRY} and ${CONTENT_DIR}<sha256>)`);
    }
  }
  const text = (name: string): string | undefined => files.get(name)?.toString("utf8");
  const lockText = text(LOCK_ENTRY);
  const indexText = text(INDEX_ENTRY);
  if (lockText === undefined) throw bad(label, `has no ${LOCK_ENTRY}`);
  if (indexText === undefined) throw bad(label, `has no ${INDEX_ENTRY}`);
  const lock = parseLockfile(lockText, `${label}: ${LOCK_ENTRY}`, o);
  checkIndex(label, parseJsonFile(indexText, `${label}: ${INDEX_ENTRY}`, "E_INTEGRITY"), lock);

  const content = new Map<string, Buffer>();
  for (const [name, data] of files) {
    if (!name.startsWith(CONTENT_DIR)) continue;
    const declared = name.slice(CONTENT_DIR.length);
    const actual = sha256(data);
    if (actual !== declared) {
      const users = usersOf(lock, declared);
      throw bad(label, `sha256 mismatch for ${name}${users.length ? ` (${users.join(", ")})` : ""}: the file is ${actual.slice(0, 12)}…`);
    }
    content.set(declared, data);
  }
  const needed = lockedContent(lock);
  for (const sha of content.keys()) if (!needed.has(sha)) throw bad(label, `${CONTENT_DIR}${sha} is not named by its index`);
  for (const [name, e] of Object.entries(lock.agents)) {
    const data = content.get(e.sha256);
    if (!data) throw bad(label, `has no content for ${name}@${e.version} (${CONTENT_DIR}${e.sha256})`);
    if (data.length > MAX_AGENT_BYTES) throw bad(label, `${CONTENT_DIR}${e.sha256} (${name}@${e.version}) is ${data.length} bytes, over the ${MAX_AGENT_BYTES}-byte limit for an agent`);
  }
  for (const name of Object.keys(lock.plugins)) {
    const p = lock.plugins[name]!;
    const lacking = pluginContent(lock, name).filter((sha) => !content.has(sha));
    if (lacking.length) throw bad(label, `has no content for ${lacking.length} file${lacking.length > 1 ? "s" : ""} of plugin ${name}@${p.version} (${CONTENT_DIR}${lacking[0]}${lacking.length > 1 ? ", …" : ""})`);
  }

  const manifestText = text(MANIFEST_ENTRY);
  const manifest = manifestText === undefined ? undefined : parseManifest(manifestText, `${label}: ${MANIFEST_ENTRY}`);
  return { lockText, lock, manifestText, manifest, content };
}

/** The packages that use a piece of content, for messages: `name@version`. */
function usersOf(lock: Lockfile, sha: string): string[] {
  const agents = Object.entries(lock.agents).filter(([, e]) => e.sha256 === sha).map(([n, e]) => `${n}@${e.version}`);
  const plugins = Object.keys(lock.plugins).filter((n) => pluginContent(lock, n).includes(sha)).map((n) => `plugin ${n}@${lock.plugins[n]!.version}`);
  return [...agents, ...plugins];
}

/**
 * index.json must describe exactly the lock's agents and plugins (it is derived from it; a difference means
 * tampering). Version 1 (agents only) and version 2 (plugins too) are read.
 */
function checkIndex(label: string, raw: unknown, lock: Lockfile): void {
  if (!isPlainObject(raw)) throw bad(label, `${INDEX_ENTRY} must be a JSON object`);
  if (raw.bundleVersion !== BUNDLE_VERSION && raw.bundleVersion !== BUNDLE_VERSION_PLUGINS) {
    throw new AgentpkgError("E_INTEGRITY", `${label}: bundleVersion ${JSON.stringify(raw.bundleVersion)} is not supported (this agentpkg reads versions ${BUNDLE_VERSION} and ${BUNDLE_VERSION_PLUGINS})`, {
      hint: "upgrade agentpkg, or make the bundle with this version's agentpkg pack",
    });
  }
  const expected = bundleIndex(lock);
  if (raw.bundleVersion !== expected.bundleVersion) {
    throw bad(label, `${INDEX_ENTRY} says bundleVersion ${raw.bundleVersion}, but ${LOCK_ENTRY} ${expected.plugins ? "has plugins (version 2)" : "has no plugins (version 1)"}`);
  }
  checkListed(label, "agents", raw.agents, expected.agents);
  if (expected.plugins) checkListed(label, "plugins", raw.plugins, expected.plugins);
  else if (raw.plugins !== undefined) throw bad(label, `${INDEX_ENTRY}: a version 1 index has no "plugins"`);
}

/** One list of the index against the one the lock implies, entry by entry (by name). */
function checkListed(label: string, key: "agents" | "plugins", raw: unknown, expected: readonly { name: string }[]): void {
  const what = key === "agents" ? "agent" : "plugin";
  if (!Array.isArray(raw)) throw bad(label, `${INDEX_ENTRY}: "${key}" must be a list`);
  const byName = new Map(expected.map((e) => [e.name, stableStringify(e)]));
  const listed = new Set<string>();
  for (const a of raw as unknown[]) {
    const name = isPlainObject(a) && typeof a.name === "string" ? a.name : undefined;
    if (name === undefined) throw bad(label, `${INDEX_ENTRY}: every ${what} needs a name`);
    if (listed.has(name)) throw bad(label, `${INDEX_ENTRY}: ${name} is listed twice`);
    listed.add(name);
    const want = byName.get(name);
    if (want === undefined) throw bad(label, `${INDEX_ENTRY} lists ${name}, which ${LOCK_ENTRY} does not`);
    if (stableStringify(a) !== want) throw bad(label, `${INDEX_ENTRY} and ${LOCK_ENTRY} disagree about ${name}`);
  }
  for (const e of expected) if (!listed.has(e.name)) throw bad(label, `${LOCK_ENTRY} has ${what} ${e.name}, which ${INDEX_ENTRY} does not list`);
}
