// `agentpkg search QUERY`: agents by name and description across the configured registries, ranked.
import type { Deps } from "../util/deps.js";
import { errorMessage } from "../util/errors.js";
import { latestVersion } from "../sources/resolve.js";
import type { AgentEntry } from "../sources/source.js";
import { openContext, type CommonOptions } from "../change/context.js";

export interface SearchOptions extends CommonOptions {
  query: string;
}

/** How a result matched, best first. */
export type MatchKind = "exact" | "prefix" | "name" | "description";
const RANK: Record<MatchKind, number> = { exact: 0, prefix: 1, name: 2, description: 3 };

export interface SearchHit {
  name: string;
  registry: string;
  version: string | null;
  description: string;
  deprecated: string | null;
  match: MatchKind;
}

export interface SearchResult {
  query: string;
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
  for (const ref of ctx.registries.refs) {
    let agents: AgentEntry[];
    try {
      agents = await (await ctx.registries.get(ref.name)).listAgents();
    } catch (err) {
      warnings.push(`registry ${ref.name} skipped: ${errorMessage(err)}`);
      continue;
    }
    for (const a of agents) {
      const match = matchAgent(a, o.query);
      if (!match) continue;
      const version = latestVersion(a) ?? null;
      hits.push({ name: a.name, registry: ref.name, version, description: a.description ?? "", deprecated: a.deprecated ?? null, match });
    }
  }
  return { query: o.query, results: rankHits(hits), warnings };
}
