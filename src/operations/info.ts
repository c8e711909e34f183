// `agentpkg info NAME`: what a registry knows about an agent, plus tools/model from its latest file.
import { semver } from "../util/semver.js";
import type { Deps } from "../util/deps.js";
import { AgentpkgError, errorMessage } from "../util/errors.js";
import { closeMatches } from "../util/suggest.js";
import { parseAgent } from "../agent/parse.js";
import { parseSpec } from "../sources/spec.js";
import { latestVersion, resolveVersion } from "../sources/resolve.js";
import type { AgentEntry, Source } from "../sources/source.js";
import type { Registries } from "../sources/registries.js";
import { openContext, type CommonOptions } from "../change/context.js";

export interface InfoOptions extends CommonOptions {
  /** [registry/]name[@range]: the range picks which version's file is described (default: latest) */
  spec: string;
}

export interface InfoVersion {
  version: string;
  yanked: string | null;
  changelog: string | null;
  tags: string[];
}

export interface InfoResult {
  name: string;
  registry: string;
  url: string;
  description: string | null;
  deprecated: string | null;
  latest: string | null;
  tags: Record<string, string>;
  /** newest first, yanked included */
  versions: InfoVersion[];
  /** the version whose file `tools`/`model` come from */
  shown: string | null;
  /** from that file: "*" (all), a list, or null (no tools field: inherits every tool) */
  tools: string[] | "*" | null;
  model: string | null;
  warnings: string[];
}

async function find(registries: Registries, name: string, registry?: string): Promise<{ source: Source; agent: AgentEntry }> {
  const names = registry ? [registries.ref(registry).name] : registries.refs.map((r) => r.name);
  for (const refresh of [false, true]) {
    for (const n of names) {
      const source = refresh ? await registries.refreshed(n) : await registries.get(n);
      const agent = source ? await source.getAgent(name) : null;
      if (source && agent) return { source, agent };
    }
  }
  const all: string[] = [];
  for (const n of names) for (const a of await (await registries.get(n)).listAgents()) all.push(a.name);
  const close = closeMatches(name, all);
  throw new AgentpkgError("E_NOT_FOUND", `agent "${name}" not found in ${registry ? `registry ${registry}` : `registries ${names.join(", ")}`}`, {
    hint: close.length ? `did you mean ${close.join(", ")}?` : `agentpkg search ${name}`,
  });
}

export async function runInfo(o: InfoOptions, deps: Deps): Promise<InfoResult> {
  const spec = parseSpec(o.spec);
  const ctx = await openContext(o, deps);
  const { source, agent } = await find(ctx.registries, spec.name, spec.registry);
  const latest = latestVersion(agent) ?? null;
  const tagsOf = (v: string) => Object.entries(agent.tags).filter(([, t]) => t === v).map(([k]) => k);
  const versions = Object.values(agent.versions)
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((v) => ({ version: v.version, yanked: v.yanked ?? null, changelog: v.changelog ?? null, tags: tagsOf(v.version) }));
  const shownInfo = spec.range ? resolveVersion(agent, spec.range, source.name) : latest ? agent.versions[latest] : undefined;
  const result: InfoResult = {
    name: agent.name,
    registry: source.name,
    url: source.url,
    description: agent.description ?? null,
    deprecated: agent.deprecated ?? null,
    latest,
    tags: { ...agent.tags },
    versions,
    shown: shownInfo?.version ?? null,
    tools: null,
    model: null,
    warnings: [],
  };
  if (!shownInfo) return result;
  try {
    const file = await source.readVersion(shownInfo);
    const parsed = parseAgent(file.content.toString("utf8"));
    result.tools = parsed.tools ?? null;
    const model = parsed.frontmatter.model;
    result.model = typeof model === "string" ? model : null;
    if (result.description === null && parsed.description !== undefined) result.description = parsed.description;
  } catch (err) {
    result.warnings.push(`could not read ${agent.name}@${shownInfo.version}: ${errorMessage(err)}`);
  }
  return result;
}
