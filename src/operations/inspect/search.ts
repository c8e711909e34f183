// `agentpkg search QUERY`: agents and plugins by name and description, and plugins' commands by name, across
// the configured registries, ranked.
import type { Deps } from "../../util/deps.js";
import { errorMessage } from "../../util/errors.js";
import { latestVersion } from "../../sources/resolve.js";
import type { AgentEntry, AgentSummary, PluginEntry, Source } from "../../sources/source.js";
import { openContext, type CommonOptions } from "../../change/context.js";

export interface SearchOptions extends CommonOptions {
  /** words to look for; empty: every agent and plugin */
  query: string;
  /** only this registry */
  registry?: string;
}

/** How a result matched, best first. */
export type MatchKind = "exact" | "prefix" | "name" | "description";
const RANK: Record<MatchKind, number> = { exact: 0, prefix: 1, name: 2, description: 3 };

export interface SearchHit {
  /** what to install: an agent's or a plugin's name, or a command's name as Claude Code shows it */
  name: string;
  type: "agent" | "plugin" | "command";
  /** the plugin an agent or command comes from (marketplaces) */
  plugin: string | null;
  registry: string;
  version: string | null;
  description: string;
  deprecated: string | null;
  match: MatchKind;
}

export interface SearchResult {
  query: string;
  /** the registries searched, in lookup order */
  registries: string[];
  results: SearchHit[];
  /** registries that could not be read (the others were still searched) */
  warnings: string[];
}

/** How `entry` matches `query` (case-insensitive), or null. Every word must appear somewhere. */
export function matchAgent(entry: Pick<AgentEntry, "name" | "description">, query: string): MatchKind | null {
  const q = query.trim().toLowerCase();
  if (!q) return "description";
  const name = entry.name.toLowerCase();
  const desc = (entry.description ?? "").toLowerCase();
  if (name === q) return "exact";
  if (name.startsWith(q)) return "prefix";
  if (name.includes(q)) return "name";
  const words = q.split(/\s+/);
  return words.every((w) => name.includes(w) || desc.includes(w)) ? "description" : null;
}

/** How a plugin's command matches: by its own name (`greet` of `kit:greet`), never by its plugin's name or a description. */
export function matchCommand(command: string, query: string): MatchKind | null {
  const q = query.trim().toLowerCase();
  const own = command.slice(command.indexOf(":") + 1).toLowerCase();
  if (!q) return null;
  if (own === q || command.toLowerCase() === q) return "exact";
  if (own.startsWith(q)) return "prefix";
  return own.includes(q) ? "name" : null;
}

/** Pure: the hits of one registry's agents (entries, or a large registry's summaries), plugins and plugins' commands. */
export function registryHits(registry: string, agents: readonly (AgentEntry | AgentSummary)[], plugins: readonly PluginEntry[], query: string): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const a of agents) {
    const match = matchAgent(a, query);
    if (!match) continue;
    const version = "latest" in a ? a.latest : (latestVersion(a) ?? null);
    const plugin = "plugin" in a ? (a.plugin ?? null) : null;
    hits.push({ name: a.name, type: "agent", plugin, registry, version, description: a.description ?? "", deprecated: a.deprecated ?? null, match });
  }
  for (const p of plugins) {
    const version = latestVersion(p) ?? null;
    const match = matchAgent(p, query);
    if (match) hits.push({ name: p.name, type: "plugin", plugin: null, registry, version, description: p.description ?? "", deprecated: p.deprecated ?? null, match });
    for (const c of p.commands ?? []) {
      const m = matchCommand(c, query);
      if (m) hits.push({ name: c, type: "command", plugin: p.name, registry, version, description: "", deprecated: p.deprecated ?? null, match: m });
    }
  }
  return hits;
}

/** Sort hits: match kind, then name, then registry lookup order (stable). */
export function rankHits(hits: SearchHit[]): SearchHit[] {
  return hits
    .map((h, i) => ({ h, i }))
    .sort((a, b) => RANK[a.h.match] - RANK[b.h.match] || (a.h.name < b.h.name ? -1 : a.h.name > b.h.name ? 1 : 0) || a.i - b.i)
    .map((x) => x.h);
}

export async function runSearch(o: SearchOptions, deps: Deps): Promise<SearchResult> {
  const ctx = await openContext(o, deps);
  const hits: SearchHit[] = [];
  const warnings: string[] = [];
  const refs = o.registry === undefined ? ctx.registries.refs : [ctx.registries.ref(o.registry)];
  for (const ref of refs) {
    let source: Source;
    let agents: (AgentEntry | AgentSummary)[];
    let plugins: PluginEntry[];
    try {
      source = await ctx.registries.get(ref.name);
      // a registry's summaries, when it keeps them, spare reading every entry of a large registry
      const words = o.query.trim().toLowerCase().split(/\s+/);
      [agents, plugins] = await Promise.all([source.agentSummaries ? source.agentSummaries(words) : source.listAgents(), source.listPlugins?.() ?? []]);
    } catch (err) {
      warnings.push(`registry ${ref.name} skipped: ${errorMessage(err)}`);
      continue;
    }
    hits.push(...registryHits(ref.name, agents, plugins, o.query));
  }
  return { query: o.query, registries: refs.map((r) => r.name), results: rankHits(hits), warnings };
}
