// `agentpkg info NAME`: what a registry knows about an agent, plus tools/model from its latest file; or, for
// a plugin of a marketplace (no agent of that name, or --plugin), its versions, parts and what a project cannot get.
import { semver } from "../../util/semver.js";
import type { Deps } from "../../util/deps.js";
import { AgentpkgError, errorMessage } from "../../util/errors.js";
import { notFoundHint } from "../../util/suggest.js";
import { parseAgent } from "../../agent/parse.js";
import { listingTokens } from "../../agent/listing.js";
import type { VendoredFile } from "../../plugin/vendor.js";
import { partsByKind } from "../../project/plugin-state.js";
import { parseSpec } from "../../sources/spec.js";
import { latestVersion, resolveVersion } from "../../sources/resolve.js";
import type { AgentEntry, PluginEntry, Source, VersionInfo } from "../../sources/source.js";
import type { Registries } from "../../sources/registries.js";
import { openContext, type CommonOptions, type Context } from "../../change/context.js";
import { materializePlugin } from "../../change/resolve-plugin.js";
import { findPlugin } from "../../change/resolve-plugin.js";

export interface InfoOptions extends CommonOptions {
  /** [registry/]name[@range]: the range picks which version's file is described (default: latest) */
  spec: string;
  /** describe the plugin of that name, even when an agent has it too */
  plugin?: boolean;
}

export interface InfoVersion {
  version: string;
  yanked: string | null;
  changelog: string | null;
  tags: string[];
}

export interface InfoResult {
  type: "agent" | "plugin";
  name: string;
  registry: string;
  url: string;
  description: string | null;
  deprecated: string | null;
  latest: string | null;
  tags: Record<string, string>;
  /** newest first, yanked included */
  versions: InfoVersion[];
  /** the version whose file `tools`/`model` (or a plugin's parts) come from */
  shown: string | null;
  /** from that file: "*" (all), a list, or null (no tools field: inherits every tool) */
  tools: string[] | "*" | null;
  model: string | null;
  warnings: string[];
  /** an agent of a marketplace: the plugin it comes from */
  plugin: string | null;
  /** an agent: the same registry also has a plugin of this name (`info --plugin NAME` shows it) */
  alsoPlugin: boolean;
  /** a plugin: its parts in the shown version, by kind, by the names Claude Code shows (null: could not be read) */
  parts: Record<string, string[]> | null;
  /** a plugin: what a project cannot get of it, and what installing it changes, as install says it */
  notes: string[];
  /**
   * tokens the shown version adds to every conversation once installed: its listing line (name, description,
   * tools), or a plugin's agents', commands' and skills' (agent/listing.ts); null when it could not be read
   */
  contextTokens: number | null;
}

async function findAgent(registries: Registries, name: string, registry?: string): Promise<{ source: Source; agent: AgentEntry } | null> {
  const names = registry ? [registries.ref(registry).name] : registries.refs.map((r) => r.name);
  for (const refresh of [false, true]) {
    for (const n of names) {
      const source = refresh ? await registries.refreshed(n) : await registries.get(n);
      const agent = source ? await source.getAgent(name) : null;
      if (source && agent) return { source, agent };
    }
  }
  return null;
}

async function notFound(registries: Registries, name: string, registry: string | undefined, pluginOnly: boolean): Promise<AgentpkgError> {
  const names = registry ? [registries.ref(registry).name] : registries.refs.map((r) => r.name);
  const all: { name: string; registry: string }[] = [];
  for (const n of names) {
    const source = await registries.get(n);
    // names only: a large registry's search lines, not every entry checked
    const agents = pluginOnly ? [] : source.agentSummaries ? await source.agentSummaries([]) : await source.listAgents();
    for (const a of agents) all.push({ name: a.name, registry: n });
    for (const p of (await source.listPlugins?.()) ?? []) all.push({ name: p.name, registry: n });
  }
  const what = pluginOnly ? "plugin" : "agent or plugin";
  return new AgentpkgError("E_NOT_FOUND", `${what} "${name}" not found in ${registry ? `registry ${registry}` : `registries ${names.join(", ")}`}`, {
    hint: notFoundHint(name, all, `agentpkg search ${name}`),
  });
}

/** Pure: the versions of an agent or plugin, newest first, with their tags. */
export function infoVersions(entry: Pick<AgentEntry, "versions" | "tags">): InfoVersion[] {
  const tagsOf = (v: string) => Object.entries(entry.tags).filter(([, t]) => t === v).map(([k]) => k);
  return Object.values(entry.versions)
    .filter((v) => semver.valid(v.version))
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((v) => ({ version: v.version, yanked: v.yanked ?? null, changelog: v.changelog ?? null, tags: tagsOf(v.version) }));
}

function base(type: InfoResult["type"], source: Source, entry: AgentEntry | PluginEntry, shown: VersionInfo | undefined): InfoResult {
  return {
    type,
    name: entry.name,
    registry: source.name,
    url: source.url,
    description: entry.description ?? null,
    deprecated: entry.deprecated ?? null,
    latest: latestVersion(entry) ?? null,
    tags: { ...entry.tags },
    versions: infoVersions(entry),
    shown: shown?.version ?? null,
    tools: null,
    model: null,
    warnings: [],
    plugin: null,
    alsoPlugin: false,
    parts: null,
    notes: [],
    contextTokens: null,
  };
}

/** The version a range picks (an exact one, a tag), else the latest. */
function shownVersion(entry: AgentEntry, range: string | undefined, registry: string): VersionInfo | undefined {
  if (range) return resolveVersion(entry, range, registry);
  const latest = latestVersion(entry);
  return latest ? entry.versions[latest] : undefined;
}

export async function runInfo(o: InfoOptions, deps: Deps): Promise<InfoResult> {
  const spec = parseSpec(o.spec);
  const ctx = await openContext(o, deps);
  const agent = o.plugin ? null : await findAgent(ctx.registries, spec.name, spec.registry);
  if (agent) return agentInfo(agent.source, agent.agent, spec.range);
  const plugin = await findPlugin(ctx.registries, spec.name, spec.registry);
  if (plugin) return pluginInfo(ctx, plugin.source, { ...plugin.plugin, name: spec.name }, spec.range);
  throw await notFound(ctx.registries, spec.name, spec.registry, o.plugin === true);
}

async function agentInfo(source: Source, agent: AgentEntry, range: string | undefined): Promise<InfoResult> {
  const shown = shownVersion(agent, range, source.name);
  const result = base("agent", source, agent, shown);
  result.plugin = agent.plugin ?? null;
  result.alsoPlugin = (await source.getPlugin?.(agent.name)) != null;
  if (!shown) return result;
  try {
    const file = await source.readVersion(shown);
    const text = file.content.toString("utf8");
    const parsed = parseAgent(text);
    result.contextTokens = listingTokens("agent", text, agent.name);
    result.tools = parsed.tools ?? null;
    const model = parsed.frontmatter.model;
    result.model = typeof model === "string" ? model : null;
    if (result.description === null && parsed.description !== undefined) result.description = parsed.description;
  } catch (err) {
    result.warnings.push(`could not read ${agent.name}@${shown.version}: ${errorMessage(err)}`);
  }
  return result;
}

/** A plugin: its parts are those installing the shown version would write (read, never written). */
async function pluginInfo(ctx: Context, source: Source, plugin: PluginEntry, range: string | undefined): Promise<InfoResult> {
  const shown = shownVersion(plugin, range, source.name);
  const result = base("plugin", source, plugin, shown);
  result.notes = [...(plugin.notes ?? [])];
  if (!shown) return result;
  try {
    const resolved = await materializePlugin(ctx, source, plugin, plugin.name, shown);
    result.parts = partsByKind(Object.values(resolved.lock.files));
    result.notes = [...new Set(resolved.vendored.warnings)];
    result.contextTokens = resolved.vendored.files.reduce((n, f) => n + pluginFileTokens(f), 0);
  } catch (err) {
    result.warnings.push(`could not read plugin ${plugin.name}@${shown.version}: ${errorMessage(err)}`);
  }
  return result;
}

/** What one vendored file of a plugin adds to every conversation: agents, commands, and a skill's SKILL.md. */
function pluginFileTokens(f: VendoredFile): number {
  const kind = f.kind === "agent" || f.kind === "command" ? f.kind : f.kind === "skill" && f.file.endsWith("/SKILL.md") ? "skill" : undefined;
  return kind ? listingTokens(kind, f.content.toString("utf8"), f.part) : 0;
}
