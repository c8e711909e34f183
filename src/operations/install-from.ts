import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { dict, own, stableJson } from "../util/json.js";
import { cacheDir, type Deps } from "../util/deps.js";
import { ContentStore } from "../store/cas.js";
import { readBundleFile, type Bundle } from "../bundle/read-bundle.js";
import type { LockEntry, Lockfile, PluginLock } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import { BUILTIN_URL, DEFAULT_REGISTRY } from "../sources/bundled/builtin-source.js";
import { lockSatisfies } from "../change/desired-lock.js";
import { cloneManifest, runChange, type ChangeOptions, type Intent } from "../change/pipeline.js";
import { rel, type Context } from "../change/context.js";
import type { ChangeResult } from "../change/result.js";

export interface InstallFromOptions extends ChangeOptions {
  /** the bundle file (agentpkg pack), relative to cwd */
  from: string;
}

const STORE_WRITERS = 16;

/**
 * install --from BUNDLE (and sync --from): install exactly what the bundle's lock says (agents and plugins),
 * with no network and no git. The bundle is read and verified in memory first; its content then fills the store, and
 * the normal pipeline runs offline with the bundle's lock as the wanted lock.
 */
export async function runInstallFrom(o: InstallFromOptions, deps: Deps, command: "install" | "sync" = "install"): Promise<ChangeResult & { locked: number }> {
  const bundle = await openBundle(o.from, deps, { global: o.global === true });
  const result = await runChange(command, { ...o, offline: true, frozen: false }, deps, "if-stale", async (c) => ({
    ...bundleIntent(c, bundle, o.from),
    restoreModified: command === "sync", // sync also restores edited files (local-edit rules apply)
  }));
  return { ...result, locked: Object.keys(bundle.lock.agents).length + Object.keys(bundle.lock.plugins).length };
}

/** Read and verify a bundle file, then put its content in the store (where loadPristine finds it). */
export async function openBundle(from: string, deps: Deps, o: { global?: boolean } = {}): Promise<Bundle> {
  const bundle = await readBundleFile(path.resolve(deps.cwd, from), from, o);
  const store = new ContentStore(cacheDir(deps));
  const todo = [...bundle.content.values()];
  const worker = async () => {
    for (let data = todo.pop(); data; data = todo.pop()) await store.put(data);
  };
  await Promise.all(Array.from({ length: STORE_WRITERS }, worker)); // each put fsyncs: overlap them
  return bundle;
}

/**
 * The bundle's lock, as a change intent. A project lock that differs is refused (exit 4): the bundle
 * never silently replaces what the team committed. The manifest is the project's, else the bundle's.
 */
export function bundleIntent(c: Context, bundle: Bundle, label: string): Intent {
  const lockName = rel(c, c.scope.lockPath);
  const hasLock = c.files.lockText !== undefined;
  if (hasLock) {
    const diff = lockDifferences(c.files.lock, bundle.lock);
    if (diff.length) {
      throw new AgentpkgError("E_LOCK_OUTDATED", `${lockName} differs from the lockfile in ${label}`, {
        details: diff,
        hint: `install the project's own lock with agentpkg install, or move ${lockName} away to take the bundle's`,
      });
    }
  }
  const manifest = c.files.manifestText !== undefined ? c.files.manifest : (bundle.manifest ?? manifestFromLock(bundle.lock));
  const mismatch = manifestMismatch(manifest, bundle.lock);
  if (mismatch.length) {
    throw new AgentpkgError("E_LOCK_OUTDATED", `${label} does not match ${rel(c, c.scope.manifestPath)}`, {
      details: mismatch,
      hint: "pack the bundle again from a project whose manifest matches (agentpkg install, then agentpkg pack)",
    });
  }
  const agents = dict<LockEntry>();
  for (const [name, e] of Object.entries(bundle.lock.agents)) agents[name] = hasLock ? e : pristineEntry(e);
  const plugins = dict<PluginLock>();
  for (const [name, p] of Object.entries(bundle.lock.plugins)) plugins[name] = hasLock ? p : pristinePlugin(p);
  return { manifest: cloneManifest(manifest), desired: { ...bundle.lock, agents, plugins } };
}

/** A fresh install writes the pristine content, so a merged file's localSha256 does not carry over. */
function pristineEntry<T extends { localSha256?: string }>(e: T): T {
  const { localSha256: _dropped, ...rest } = e;
  return rest as T;
}

function pristinePlugin(p: PluginLock): PluginLock {
  const files: PluginLock["files"] = {};
  for (const [file, f] of Object.entries(p.files)) files[file] = pristineEntry(f);
  return { ...p, files };
}

/** What a plugin's lock says was installed, without what the project did with it (a clean merge). */
const pluginKey = (p: PluginLock) => stableJson(pristinePlugin(p));

function lockDifferences(project: Lockfile, bundle: Lockfile): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(project.agents), ...Object.keys(bundle.agents)])].sort();
  for (const name of names) {
    const p = own(project.agents, name);
    const b = own(bundle.agents, name);
    if (!p) out.push(`${name}: only in the bundle (${b!.version})`);
    else if (!b) out.push(`${name}: only in the project (${p.version})`);
    else if (p.sha256 !== b.sha256 || p.version !== b.version || p.registry !== b.registry || p.url !== b.url || p.file !== b.file) {
      out.push(`${name}: project has ${p.version} from ${p.registry}, bundle has ${b.version} from ${b.registry}`);
    }
  }
  for (const name of [...new Set([...Object.keys(project.plugins), ...Object.keys(bundle.plugins)])].sort()) {
    const p = own(project.plugins, name);
    const b = own(bundle.plugins, name);
    if (!p) out.push(`plugin ${name}: only in the bundle (${b!.version})`);
    else if (!b) out.push(`plugin ${name}: only in the project (${p.version})`);
    else if (pluginKey(p) !== pluginKey(b)) out.push(`plugin ${name}: project has ${p.version} from ${p.registry}, bundle has ${b.version} from ${b.registry}${p.version === b.version ? " (other files)" : ""}`);
  }
  return out;
}

/** lockSatisfies without its type guard (false does not mean "no entry" here). */
const satisfies = (e: LockEntry | PluginLock, dep: Dependency): boolean => lockSatisfies(e, dep);

function manifestMismatch(m: Manifest, lock: Lockfile): string[] {
  const out: string[] = [];
  const check = (label: string, e: LockEntry | PluginLock | undefined, name: string, dep: Dependency) => {
    if (!e) out.push(`${label}: wanted by the manifest, not in the bundle`);
    else if (!satisfies(e, dep)) {
      const parts = (x: { parts?: string[] }) => (x.parts?.length ? ` (parts ${x.parts.join(", ")})` : "");
      out.push(`${label}: the bundle has ${e.registry}/${name}@${e.version}${"files" in e ? parts(e) : ""}, the manifest wants ${dep.registry ? `${dep.registry}/` : ""}${name}@${dep.range}${parts(dep)}`);
    }
  };
  for (const [name, dep] of Object.entries(m.agents)) check(name, own(lock.agents, name), name, dep);
  for (const [name, dep] of Object.entries(m.plugins)) check(`plugin ${name}`, own(lock.plugins, name), name, dep);
  for (const name of Object.keys(lock.agents)) if (!Object.hasOwn(m.agents, name)) out.push(`${name}: in the bundle, not in the manifest`);
  for (const name of Object.keys(lock.plugins)) if (!Object.hasOwn(m.plugins, name)) out.push(`plugin ${name}: in the bundle, not in the manifest`);
  return out.sort();
}

/** For bundles without a manifest: pin each agent and plugin to its locked version and registry (and parts). */
function manifestFromLock(lock: Lockfile): Manifest {
  const m: Manifest = { registries: dict(), agents: dict(), plugins: dict() };
  const pin = (e: { registry: string; url: string; version: string }): Dependency => {
    const builtin = e.registry === DEFAULT_REGISTRY && e.url === BUILTIN_URL;
    if (!builtin) m.registries[e.registry] = e.url;
    return { range: e.version, registry: builtin ? undefined : e.registry };
  };
  for (const [name, e] of Object.entries(lock.agents)) m.agents[name] = pin(e);
  for (const [name, p] of Object.entries(lock.plugins)) m.plugins[name] = { ...pin(p), ...(p.parts ? { parts: [...p.parts] } : {}) };
  return m;
}
