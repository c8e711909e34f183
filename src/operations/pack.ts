import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { sha256 } from "../util/hash.js";
import { writeFileAtomic } from "../util/atomic.js";
import { buildBundle } from "../bundle/pack.js";
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
  /** agents whose content was not in the store and was read from their registry */
  fetched: string[];
}

/**
 * pack: write the lockfile, the manifest and the pristine content of every locked agent into one
 * deterministic .tgz (see bundle/pack.ts). Content comes from the store, else from its registry.
 */
export async function runPack(o: PackOptions, deps: Deps): Promise<PackResult> {
  const ctx = await openContext(o, deps);
  const lockName = rel(ctx, ctx.scope.lockPath);
  if (ctx.files.lockText === undefined) {
    throw new AgentpkgError("E_NOT_FOUND", `no ${lockName} to pack`, { hint: "install agents first: agentpkg install" });
  }
  const lock = ctx.files.lock;
  const locked = Object.keys(lock.agents).sort();
  const wanted = Object.keys(ctx.files.manifest.agents).sort();
  if (locked.join("\n") !== wanted.join("\n")) {
    const missing = wanted.filter((n) => !locked.includes(n)).map((n) => `${n}: in the manifest, not in the lockfile`);
    const extra = locked.filter((n) => !wanted.includes(n)).map((n) => `${n}: in the lockfile, not in the manifest`);
    throw new AgentpkgError("E_LOCK_OUTDATED", `${lockName} does not match ${rel(ctx, ctx.scope.manifestPath)}`, {
      details: [...missing, ...extra],
      hint: "run agentpkg install, then pack again",
    });
  }
  const content = new Map<string, Buffer>();
  const fetched: string[] = [];
  for (const name of locked) {
    const entry = lock.agents[name]!;
    if (content.has(entry.sha256)) continue;
    let data = await ctx.store.get(entry.sha256);
    if (!data) {
      fetched.push(name);
      data = await loadPristine(ctx, entry);
    }
    if (sha256(data) !== entry.sha256) throw new Error(`internal: content for ${name} does not match its sha256`);
    content.set(entry.sha256, data);
  }
  const bytes = buildBundle({ lockText: ctx.files.lockText, lock, manifestText: ctx.files.manifestText, content });
  const file = path.resolve(deps.cwd, o.output ?? DEFAULT_BUNDLE);
  await writeFileAtomic(file, bytes);
  return {
    file,
    bytes: bytes.length,
    sha256: sha256(bytes),
    agents: locked.map((name) => ({ name, version: lock.agents[name]!.version, sha256: lock.agents[name]!.sha256 })),
    fetched,
  };
}
