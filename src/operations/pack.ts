import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { sha256 } from "../util/hash.js";
import { writeFileAtomic } from "../util/atomic.js";
import { buildBundle } from "../bundle/pack.js";
import { MAX_BUNDLE_BYTES } from "../bundle/read-bundle.js";
import { pluginFiles, type LockedFile, type LockEntry } from "../project/lockfile.js";
import { loadPristine } from "../change/content.js";
import { openContext, rel, type CommonOptions } from "../change/context.js";

export const DEFAULT_BUNDLE = "agentpkg-bundle.tgz";

export interface PackOptions extends CommonOptions {
  /** output file, relative to cwd (default agentpkg-bundle.tgz) */
  output?: string;
}

export interface PackResult {
  file: string;
  bytes: number;
  sha256: string;
  agents: { name: string; version: string; sha256: string }[];
  /** each plugin, with how many files and entries it carries */
  plugins: { name: string; version: string; files: number }[];
  /** packages whose content was not in the store and was read from their registry */
  fetched: string[];
}

/** Names in one list and not the other, as lines for an error. */
function differences(what: string, locked: string[], wanted: string[]): string[] {
  return [
    ...wanted.filter((n) => !locked.includes(n)).map((n) => `${what}${n}: in the manifest, not in the lockfile`),
    ...locked.filter((n) => !wanted.includes(n)).map((n) => `${what}${n}: in the lockfile, not in the manifest`),
  ];
}

/**
 * pack: write the lockfile, the manifest and the pristine content of every locked agent and of every file and
 * hook or MCP entry of every locked plugin into one deterministic .tgz (see bundle/pack.ts). Content comes
 * from the store, else from its registry.
 */
export async function runPack(o: PackOptions, deps: Deps): Promise<PackResult> {
  const ctx = await openContext(o, deps);
  const lockName = rel(ctx, ctx.scope.lockPath);
  if (ctx.files.lockText === undefined) {
    throw new AgentpkgError("E_NOT_FOUND", `no ${lockName} to pack`, { hint: "install agents first: agentpkg install" });
  }
  const { lock, manifest } = ctx.files;
  const agents = Object.keys(lock.agents).sort();
  const plugins = Object.keys(lock.plugins).sort();
  const mismatch = [...differences("", agents, Object.keys(manifest.agents).sort()), ...differences("plugin ", plugins, Object.keys(manifest.plugins).sort())];
  if (mismatch.length) {
    throw new AgentpkgError("E_LOCK_OUTDATED", `${lockName} does not match ${rel(ctx, ctx.scope.manifestPath)}`, {
      details: mismatch,
      hint: "run agentpkg install, then pack again",
    });
  }
  // one file to load each piece of content from, with the package it belongs to
  const sources = new Map<string, { name: string; file: LockEntry | LockedFile }>();
  for (const name of agents) if (!sources.has(lock.agents[name]!.sha256)) sources.set(lock.agents[name]!.sha256, { name, file: lock.agents[name]! });
  for (const name of plugins) for (const f of pluginFiles(name, lock.plugins[name]!)) if (!sources.has(f.sha256)) sources.set(f.sha256, { name: `plugin ${name}`, file: f });
  const content = new Map<string, Buffer>();
  const fetched = new Set<string>();
  let total = 0;
  for (const [sha, { name, file }] of sources) {
    let data = await ctx.store.get(sha);
    if (!data) {
      fetched.add(name);
      data = await loadPristine(ctx, file);
    }
    if (sha256(data) !== sha) throw new Error(`internal: content for ${name} does not match its sha256`);
    content.set(sha, data);
    total += data.length;
  }
  if (total > MAX_BUNDLE_BYTES) {
    throw new AgentpkgError("E_UNSAFE", `the locked content is ${total} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit of a bundle; nothing was written`, {
      hint: "pack a project with fewer or smaller plugins, or install from the registries (agentpkg install)",
    });
  }
  const bytes = buildBundle({ lockText: ctx.files.lockText, lock, manifestText: ctx.files.manifestText, content });
  const file = path.resolve(deps.cwd, o.output ?? DEFAULT_BUNDLE);
  await writeFileAtomic(file, bytes);
  return {
    file,
    bytes: bytes.length,
    sha256: sha256(bytes),
    agents: agents.map((name) => ({ name, version: lock.agents[name]!.version, sha256: lock.agents[name]!.sha256 })),
    plugins: plugins.map((name) => ({ name, version: lock.plugins[name]!.version, files: Object.keys(lock.plugins[name]!.files).length })),
    fetched: [...fetched],
  };
}
