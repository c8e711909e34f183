import { AgentpkgError } from "../util/errors.js";
import { notFoundHint } from "../util/suggest.js";
import { agentFileFor, type LockEntry } from "../project/lockfile.js";
import type { Dependency } from "../project/manifest.js";
import { resolveVersionIn } from "../sources/resolve.js";
import type { Registries } from "../sources/registries.js";
import type { AgentEntry, Source, VersionInfo } from "../sources/source.js";

export interface Resolved {
  entry: LockEntry;
  agent: AgentEntry;
  version: VersionInfo;
  source: Source;
}

async function findAgent(registries: Registries, name: string, registry: string | undefined): Promise<{ source: Source; agent: AgentEntry } | null> {
  const names = registry ? [registry] : registries.refs.map((r) => r.name);
  for (const n of names) {
    const source = await registries.get(n);
    const agent = await source.getAgent(name);
    if (agent) return { source, agent };
  }
  // a cached copy may predate a publish: fetch once more before giving up
  for (const n of names) {
    const source = await registries.refreshed(n);
    const agent = source ? await source.getAgent(name) : null;
    if (source && agent) return { source, agent };
  }
  return null;
}

/**
 * Looks names up together, so that a sharded registry reads their shards in one batch (a round trip for
 * all, not one per name); each name is then resolved on its own, from what is now in the mirror. Errors
 * are left to that resolution.
 */
export async function lookUpTogether(registries: Registries, wanted: readonly { name: string; registry?: string }[]): Promise<void> {
  await Promise.all(wanted.map((w) => findAgent(registries, w.name, w.registry).catch(() => undefined)));
}

async function notFound(registries: Registries, name: string, registry: string | undefined): Promise<AgentpkgError> {
  const names = registry ? [registry] : registries.refs.map((r) => r.name);
  const all: { name: string; registry: string }[] = [];
  for (const n of names) for (const a of await (await registries.get(n)).listAgents()) all.push({ name: a.name, registry: n });
  return new AgentpkgError("E_NOT_FOUND", `agent "${name}" not found in ${registry ? `registry ${registry}` : `registries ${names.join(", ")}`}`, {
    hint: notFoundHint(name, all, "list what is available with agentpkg search"),
  });
}

/**
 * The registry a locked package is resolved in: the manifest's pin, else the registry it was locked from
 * while that is still configured (a registry added later never takes an installed package over silently).
 */
export function stickyRegistry(registries: Registries, dep: Dependency, locked: { registry: string } | undefined): string | undefined {
  if (dep.registry !== undefined || !locked) return dep.registry;
  return registries.refs.some((r) => r.name === locked.registry) ? locked.registry : undefined;
}

/**
 * name + range (+ registry) -> the exact version to lock, with its registry coordinates. `locked`: what the
 * lock has for it now, whose registry it stays with and whose file it keeps.
 */
export async function resolveAgent(registries: Registries, name: string, dep: Dependency, locked?: LockEntry): Promise<Resolved> {
  const registry = stickyRegistry(registries, dep, locked);
  const found = await findAgent(registries, name, registry);
  if (!found) throw await notFound(registries, name, registry);
  let { source, agent } = found;
  let version: VersionInfo;
  try {
    version = await resolveVersionIn(source, agent, dep.range);
  } catch (err) {
    const again = err instanceof AgentpkgError && err.code === "E_NO_MATCH" ? await registries.refreshed(source.name) : null;
    const agentAgain = again ? await again.getAgent(name) : null;
    if (!again || !agentAgain) throw err;
    source = again;
    agent = agentAgain;
    version = await resolveVersionIn(source, agent, dep.range);
  }
  const sha256 = version.sha256 ?? (await source.readVersion(version)).sha256;
  return {
    agent,
    version,
    source,
    entry: {
      version: version.version,
      registry: source.name,
      url: source.url,
      commit: version.commit ?? source.commit,
      path: version.path,
      sha256,
      file: locked?.file ?? agentFileFor(name),
    },
  };
}
