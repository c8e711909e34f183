import path from "node:path";
import type { Deps } from "../../util/deps.js";
import { listAgentFiles, readAgentFile } from "../../project/agents-dir.js";
import type { Manifest } from "../../project/manifest.js";
import { inspectPlugins, type InspectedPlugin } from "../../project/plugin-disk.js";
import { partsByKind, trackedFiles, type TargetState } from "../../project/plugin-state.js";
import { openContext, type CommonOptions, type Context } from "../../change/context.js";
import { listingTokens } from "../../agent/listing.js";
import { fileListingTokens, pluginListingTokens } from "../../project/listing-cost.js";
import { tildePath, userScope } from "../../project/scope.js";
import { agentsFolders, shadowedAgents } from "../../project/shadowing.js";
import { own } from "../../util/json.js";

export type AgentState = "ok" | "modified" | "merged" | "missing";

export interface ListedAgent {
  name: string;
  version: string;
  range: string | null;
  registry: string;
  file: string;
  state: AgentState;
  /** tokens its name, description and tools add to every conversation (agent/listing.ts; 0 when missing) */
  contextTokens: number;
}

export interface ListedPlugin {
  name: string;
  version: string;
  range: string | null;
  registry: string;
  /** the parts installed on their own (install PLUGIN:PART); null: the whole plugin */
  selected: string[] | null;
  /** its parts by kind, by the names Claude Code shows */
  parts: Record<string, string[]>;
  /** its worst file's state: missing, then modified, then merged, else ok */
  state: AgentState;
  /** each file (or hook / MCP server entry) that is not ok */
  files: TargetState[];
  /** files in its own folders (command namespace, skill folders, vendored copy) that no lock entry owns */
  untracked: string[];
  /** tokens its agents', commands' and skills' listings add to every conversation */
  contextTokens: number;
}

/** An agent another of the same name hides from Claude Code (paths as shown to the user). */
export interface ShadowedListing {
  name: string;
  /** the file Claude Code loads, and its level (project or user) */
  file: string;
  level: string;
  /** the file it hides, and its level */
  hidden: string;
  hiddenLevel: string;
}

export interface ListResult {
  agents: ListedAgent[];
  /** agent files in the folder that agentpkg did not install */
  untracked: string[];
  /** manifest entries with no lock entry yet (run install) */
  notInstalled: string[];
  plugins: ListedPlugin[];
  /** manifest plugins with no lock entry yet */
  pluginsNotInstalled: string[];
  /** what could not be read (a .claude/settings.json that is not JSON) */
  warnings: string[];
  /** the always-loaded cost of everything listed (installed agents and plugins, and untracked agent files) */
  contextTokens: number;
  /** untracked agent files' share of it */
  untrackedTokens: number;
  /** agents of this scope that hide, or are hidden by, an agent of the same name in another folder */
  shadowed: ShadowedListing[];
}

export type ListOptions = CommonOptions;

/** Pure: one listed plugin from its inspection and the manifest. */
export function listedPlugin(p: InspectedPlugin, manifest: Manifest, contextTokens = 0): ListedPlugin {
  const { lock } = p;
  return {
    name: p.name,
    version: lock.version,
    range: own(manifest.plugins, p.name)?.range ?? null,
    registry: lock.registry,
    selected: lock.parts ? [...lock.parts] : null,
    parts: partsByKind(p.targets),
    state: p.state,
    files: p.targets.filter((t) => t.state !== "ok"),
    untracked: p.untracked,
    contextTokens,
  };
}

/** Installed agents and plugins and the state of each file, plus untracked files (never touches the network). */
export async function runList(o: ListOptions, deps: Deps): Promise<ListResult> {
  const ctx = await openContext(o, deps);
  const { lock, manifest } = ctx.files;
  const agents = await Promise.all(
    Object.entries(lock.agents).map(async ([name, e]): Promise<ListedAgent> => {
      const file = await readAgentFile(ctx.scope, e.file);
      const state: AgentState =
        file.kind === "missing" ? "missing" : file.sha256 === e.sha256 ? "ok" : file.sha256 === e.localSha256 ? "merged" : "modified";
      const dep = own(manifest.agents, name);
      const contextTokens = file.kind === "missing" ? 0 : listingTokens("agent", file.content.toString("utf8"), name);
      return { name, version: e.version, range: dep?.range ?? null, registry: e.registry, file: e.file, state, contextTokens };
    }),
  );
  const tracked = trackedFiles(lock);
  const untracked = (await listAgentFiles(ctx.scope)).filter((f) => !tracked.has(f));
  const notInstalled = Object.keys(manifest.agents).filter((n) => !Object.hasOwn(lock.agents, n)).sort();
  const inspected = inspectPlugins(ctx.scope, lock.plugins, tracked, ctx.statCache);
  ctx.statCache.save();
  const plugins = inspected.plugins.map((p) => listedPlugin(p, manifest, pluginListingTokens(ctx.scope, p.lock)));
  const untrackedTokens = untracked.reduce((n, f) => n + fileListingTokens(ctx.scope, f, "agent", f), 0);
  const installedTokens = [...agents, ...plugins].reduce((n, p) => n + p.contextTokens, 0);
  return {
    agents: agents.sort((a, b) => a.name.localeCompare(b.name)),
    untracked,
    notInstalled,
    plugins,
    pluginsNotInstalled: Object.keys(manifest.plugins).filter((n) => !Object.hasOwn(lock.plugins, n)).sort(),
    warnings: inspected.warnings,
    contextTokens: installedTokens + untrackedTokens,
    untrackedTokens,
    shadowed: await shadowedListing(ctx),
  };
}

/** The scope's agents that shadow, or are shadowed by, one of the same name (project/shadowing.ts). */
export async function shadowedListing(ctx: Context): Promise<ShadowedListing[]> {
  const { deps, scope } = ctx;
  const folders = agentsFolders(deps.cwd, deps.home, userScope(deps).agentsDir);
  const shown = (abs: string) => (abs.startsWith(deps.cwd + path.sep) ? path.relative(deps.cwd, abs) : tildePath(abs, deps.home));
  return (await shadowedAgents(folders, scope.agentsDir)).map((s) => ({ name: s.name, file: shown(s.winner.file), level: s.winner.level, hidden: shown(s.hidden.file), hiddenLevel: s.hidden.level }));
}
