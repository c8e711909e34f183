import { semver } from "../../util/semver.js";
import { AgentpkgError } from "../../util/errors.js";
import type { Deps } from "../../util/deps.js";
import type { LockEntry, PluginLock } from "../../project/lockfile.js";
import type { Dependency } from "../../project/manifest.js";
import { latestVersion, resolveVersion } from "../../sources/resolve.js";
import { sourceForEntry } from "../../sources/registries.js";
import type { AgentEntry, Source } from "../../sources/source.js";
import { openContext, type CommonOptions, type Context } from "../../change/context.js";
import { lockedPluginEntry } from "./plugin-read.js";

export interface OutdatedRow {
  name: string;
  type: "agent" | "plugin";
  /** the locked version; null when the manifest lists an agent the lock lacks */
  current: string | null;
  /** the newest version the manifest range allows; null when none does */
  wanted: string | null;
  /** the registry's latest version; null when the agent is not in the registry */
  latest: string | null;
  range: string;
  registry: string;
  deprecated?: string;
}

export interface OutdatedResult {
  /** manifest agents checked */
  checked: number;
  /** manifest plugins checked */
  checkedPlugins: number;
  /** only the agents and plugins that are behind (or not installed), sorted by name */
  outdated: OutdatedRow[];
  warnings: string[];
}

/** Pure: is this row behind what the range or the registry offers? */
export function isOutdated(r: Pick<OutdatedRow, "current" | "wanted" | "latest">): boolean {
  if (r.current === null) return true;
  return [r.wanted, r.latest].some((v) => v !== null && semver.lt(r.current!, v));
}

/** Pure: one row from the manifest entry, the lock entry and the registry's view of the agent (or plugin: its versions). */
export function outdatedRow(
  name: string,
  dep: Dependency,
  entry: Pick<LockEntry, "version"> | undefined,
  registry: string,
  agent: AgentEntry | null,
  type: OutdatedRow["type"] = "agent",
): OutdatedRow {
  let wanted: string | null = null;
  if (agent) {
    try {
      wanted = resolveVersion(agent, dep.range, registry).version;
    } catch (err) {
      if (!(err instanceof AgentpkgError && err.code === "E_NO_MATCH")) throw err;
    }
  }
  const row: OutdatedRow = { name, type, current: entry?.version ?? null, wanted, latest: (agent && latestVersion(agent)) ?? null, range: dep.range, registry };
  if (agent?.deprecated) row.deprecated = agent.deprecated;
  return row;
}

/** Where to look an agent up: the registry it was locked from, else the pinned one, else the lookup order. */
async function lookUp(ctx: Context, name: string, dep: Dependency, entry: LockEntry | undefined): Promise<{ source: Source | null; agent: AgentEntry | null }> {
  if (entry) {
    const source = await sourceForEntry(ctx.registries, entry);
    return { source, agent: await source.getAgent(name) };
  }
  for (const ref of dep.registry ? [ctx.registries.ref(dep.registry)] : ctx.registries.refs) {
    const source = await ctx.registries.get(ref.name);
    const agent = await source.getAgent(name);
    if (agent) return { source, agent };
  }
  return { source: null, agent: null };
}

/** outdated: current / wanted / latest for every manifest agent and plugin; fetches registries (unless --offline). */
export async function runOutdated(o: CommonOptions, deps: Deps): Promise<OutdatedResult> {
  const ctx = await openContext(o, deps, "always");
  const { manifest, lock } = ctx.files;
  const warnings: string[] = [];
  const row = (name: string, type: OutdatedRow["type"], dep: Dependency, entry: { version: string; registry: string } | undefined, source: Source | null, found: AgentEntry | null) => {
    const label = type === "plugin" ? `plugin ${name}` : name;
    const registry = source?.name ?? entry?.registry ?? dep.registry ?? "-";
    if (!found) warnings.push(`${label}: not found in ${source ? `registry ${source.name}` : "any configured registry"}`);
    const r = outdatedRow(name, dep, entry, registry, found, type);
    if (found && r.wanted === null) warnings.push(`${label}: no version in ${registry} satisfies "${dep.range}"`);
    if (r.deprecated) warnings.push(`${label} is deprecated: ${r.deprecated}`);
    return r;
  };
  const rows = await Promise.all([
    ...Object.entries(manifest.agents).map(async ([name, dep]) => {
      const entry = Object.hasOwn(lock.agents, name) ? lock.agents[name] : undefined;
      const { source, agent } = await lookUp(ctx, name, dep, entry);
      return row(name, "agent", dep, entry, source, agent);
    }),
    ...Object.entries(manifest.plugins).map(async ([name, dep]) => {
      const entry: PluginLock | undefined = Object.hasOwn(lock.plugins, name) ? lock.plugins[name] : undefined;
      const { source, plugin } = await lockedPluginEntry(ctx.registries, name, dep, entry);
      return row(name, "plugin", dep, entry, source, plugin && { ...plugin, name });
    }),
  ]);
  const byName = (a: OutdatedRow, b: OutdatedRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
  return {
    checked: Object.keys(manifest.agents).length,
    checkedPlugins: Object.keys(manifest.plugins).length,
    outdated: rows.filter(isOutdated).sort(byName),
    warnings: warnings.sort(),
  };
}
