import { AgentpkgError } from "../util/errors.js";
import { isPlainObject, parseJsonFile, stableStringify } from "../util/json.js";
import { sha256, SHA256_RE } from "../util/hash.js";
import { parseLockfile, type Lockfile } from "../project/lockfile.js";
import { parseManifest, type Manifest } from "../project/manifest.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { readArchive, type ExtractPolicy } from "../archive/safe-extract.js";
import { refusal, tryReadRegularFile } from "../util/safe-read.js";
import { BUNDLE_VERSION, bundleIndex, CONTENT_DIR, INDEX_ENTRY, LOCK_ENTRY, MANIFEST_ENTRY } from "./pack.js";

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

/** Limits for bundles: agents are at most 1 MiB each (Claude Code skips larger files). */
export function bundlePolicy(label: string): ExtractPolicy {
  return {
    label,
    maxEntries: 5000,
    maxTotalBytes: 64 * MIB,
    maxFileBytes: (p) => (p.startsWith(CONTENT_DIR) ? MAX_AGENT_BYTES : 16 * MIB),
  };
}

function bad(label: string, msg: string): AgentpkgError {
  return new AgentpkgError("E_INTEGRITY", `${label}: ${msg}`, {
    hint: "the bundle is damaged or was tampered with; nothing was written. Make a new one with agentpkg pack",
  });
}

/** A bundle file is at most this large (its content is at most 64 MiB uncompressed, too). */
export const MAX_BUNDLE_FILE = 64 * MIB;

/** Read a bundle file (a regular file: never a device or pipe) and verify it; `label` names it in errors. */
export async function readBundleFile(file: string, label: string): Promise<Bundle> {
  const r = tryReadRegularFile(file, { limit: MAX_BUNDLE_FILE });
  if (r.ok) return readBundle(r.data, label);
  if (r.kind === "missing") throw new AgentpkgError("E_NOT_FOUND", `${label}: no such file`, { hint: "make one with agentpkg pack -o FILE" });
  throw refusal(r, MAX_BUNDLE_FILE, { display: label, what: "a bundle file", hint: "point --from at a bundle made by agentpkg pack -o FILE" });
}

/**
 * Read and verify a bundle (see pack.ts) entirely in memory: only the expected entry names, a lockfile
 * and index that agree, and content whose sha256 matches its name and the lock. Nothing is written.
 */
export async function readBundle(archive: Buffer, label: string): Promise<Bundle> {
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
  const lock = parseLockfile(lockText, `${label}: ${LOCK_ENTRY}`);
  checkIndex(label, parseJsonFile(indexText, `${label}: ${INDEX_ENTRY}`, "E_INTEGRITY"), lock);

  const content = new Map<string, Buffer>();
  for (const [name, data] of files) {
    if (!name.startsWith(CONTENT_DIR)) continue;
    const declared = name.slice(CONTENT_DIR.length);
    const actual = sha256(data);
    if (actual !== declared) {
      const users = Object.entries(lock.agents).filter(([, e]) => e.sha256 === declared).map(([n, e]) => `${n}@${e.version}`);
      throw bad(label, `sha256 mismatch for ${name}${users.length ? ` (${users.join(", ")})` : ""}: the file is ${actual.slice(0, 12)}…`);
    }
    content.set(declared, data);
  }
  const needed = new Set(Object.values(lock.agents).map((e) => e.sha256));
  for (const [name, e] of Object.entries(lock.agents)) {
    if (!content.has(e.sha256)) throw bad(label, `has no content for ${name}@${e.version} (${CONTENT_DIR}${e.sha256})`);
  }
  for (const sha of content.keys()) if (!needed.has(sha)) throw bad(label, `${CONTENT_DIR}${sha} is not named by its index`);

  const manifestText = text(MANIFEST_ENTRY);
  const manifest = manifestText === undefined ? undefined : parseManifest(manifestText, `${label}: ${MANIFEST_ENTRY}`);
  return { lockText, lock, manifestText, manifest, content };
}

/** index.json must describe exactly the lock's agents (it is derived from it; a difference means tampering). */
function checkIndex(label: string, raw: unknown, lock: Lockfile): void {
  if (!isPlainObject(raw)) throw bad(label, `${INDEX_ENTRY} must be a JSON object`);
  if (raw.bundleVersion !== BUNDLE_VERSION) {
    throw new AgentpkgError("E_INTEGRITY", `${label}: bundleVersion ${JSON.stringify(raw.bundleVersion)} is not supported (this agentpkg reads version ${BUNDLE_VERSION})`, {
      hint: "upgrade agentpkg, or make the bundle with this version's agentpkg pack",
    });
  }
  if (!Array.isArray(raw.agents)) throw bad(label, `${INDEX_ENTRY}: "agents" must be a list`);
  const expected = bundleIndex(lock).agents;
  const byName = new Map(expected.map((e) => [e.name, stableStringify(e)]));
  const listed = new Set<string>();
  for (const a of raw.agents as unknown[]) {
    const name = isPlainObject(a) && typeof a.name === "string" ? a.name : undefined;
    if (name === undefined) throw bad(label, `${INDEX_ENTRY}: every agent needs a name`);
    if (listed.has(name)) throw bad(label, `${INDEX_ENTRY}: ${name} is listed twice`);
    listed.add(name);
    const want = byName.get(name);
    if (want === undefined) throw bad(label, `${INDEX_ENTRY} lists ${name}, which ${LOCK_ENTRY} does not`);
    if (stableStringify(a) !== want) throw bad(label, `${INDEX_ENTRY} and ${LOCK_ENTRY} disagree about ${name}`);
  }
  for (const e of expected) if (!listed.has(e.name)) throw bad(label, `${LOCK_ENTRY} has ${e.name}, which ${INDEX_ENTRY} does not list`);
}
