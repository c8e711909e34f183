// The names shell completion offers (`agentpkg __complete`): registries, installed agents and plugins, and
// what the registries offer as far as the cache knows. Offline by construction (a registry never fetched
// offers nothing), read-only, and silent: completion must never print an error into the user's command line.
import type { Deps } from "../../util/deps.js";
import { scopeFor } from "../../project/scope.js";
import { readProjectFiles } from "../../project/state.js";
import { configuredRegistries, Registries } from "../../sources/registries.js";

export interface CompletionNames {
  registries: string[];
  /** agents and plugins in the lock (and the manifest) */
  installed: string[];
  /** agents and plugins the cached registries list, each also as `registry/name` */
  available: string[];
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/** What the manifest and lock name, and (`withAvailable`) what the cached registries offer. */
export async function completionNames(o: { global: boolean; withAvailable: boolean }, deps: Deps): Promise<CompletionNames> {
  const files = await readProjectFiles(scopeFor(deps, o.global)).catch(() => undefined);
  if (!files) return { registries: [], installed: [], available: [] };
  const { manifest, lock } = files;
  const refs = configuredRegistries(manifest);
  const installed = sorted([...Object.keys(lock.agents), ...Object.keys(lock.plugins), ...Object.keys(manifest.agents), ...Object.keys(manifest.plugins)]);
  const available: string[] = [];
  if (o.withAvailable) {
    // offline: only what earlier commands fetched; a registry not in the cache is skipped
    const registries = new Registries(refs, { ...deps, progress: undefined }, { offline: true, policy: "if-stale" });
    for (const ref of refs) {
      try {
        const source = await registries.get(ref.name, "never");
        // names only: a large registry's search lines, not every entry checked
        const [agents, plugins] = await Promise.all([source.agentSummaries ? source.agentSummaries([]) : source.listAgents(), source.listPlugins?.() ?? []]);
        for (const e of [...agents, ...plugins]) available.push(e.name, `${ref.name}/${e.name}`);
      } catch {
        continue;
      }
    }
  }
  return { registries: refs.map((r) => r.name), installed, available: sorted(available) };
}
