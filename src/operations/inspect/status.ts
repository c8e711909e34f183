import { AgentpkgError } from "../../util/errors.js";
import type { Deps } from "../../util/deps.js";
import { diffStat, type DiffStat } from "../../util/text-diff.js";
import { readAgentFile } from "../../project/agents-dir.js";
import type { LockEntry } from "../../project/lockfile.js";
import type { TargetState } from "../../project/plugin-state.js";
import { Registries } from "../../sources/registries.js";
import { resolveVersion } from "../../sources/resolve.js";
import { openContext, type CommonOptions, type Context } from "../../change/context.js";
import { loadPristine } from "../../change/content.js";
import { resolveAgent, stickyRegistry } from "../../change/resolve-agent.js";
import { own } from "../../util/json.js";
import { runList, type ListedAgent, type ListedPlugin } from "./list.js";
import { diffableText, lockedPluginFiles, pristineAndLocal } from "./plugin-read.js";
import { findPlugin } from "../../change/resolve-plugin.js";

export interface StatusAgent extends ListedAgent {
  /** lines changed against the pristine installed version (modified and merged files) */
  edits: DiffStat | null;
  /** the version `upgrade` would install, when it differs from the locked one */
  upgrade: string | null;
}

export interface StatusPluginFile extends TargetState {
  /** lines changed against the pristine installed version (modified and merged text files) */
  edits: DiffStat | null;
}

export interface StatusPlugin extends ListedPlugin {
  files: StatusPluginFile[];
  /** the lines changed in all its edited files */
  edits: DiffStat | null;
  /** the version `upgrade` would install, when it differs from the locked one (from the plugin's versions only) */
  upgrade: string | null;
}

export interface StatusResult {
  agents: StatusAgent[];
  untracked: string[];
  notInstalled: string[];
  plugins: StatusPlugin[];
  pluginsNotInstalled: string[];
  /** what could not be checked (an unreachable registry, a pristine copy that cannot be loaded) */
  problems: string[];
}

export type StatusOptions = CommonOptions;

/** Errors that only mean "could not check": status reports them and carries on. */
const CHECK_ERRORS = new Set(["E_REGISTRY_UNREACHABLE", "E_OFFLINE", "E_NOT_FOUND", "E_NO_MATCH", "E_REGISTRY_INVALID", "E_INTEGRITY", "E_USAGE"]);

function checkError(err: unknown): err is AgentpkgError {
  return err instanceof AgentpkgError && CHECK_ERRORS.has(err.code);
}

/**
 * list, plus what each local edit amounts to and whether a newer version within the manifest range
 * exists. Registries are refreshed only when stale; one that cannot be reached is reported (and its
 * cached copy used when there is one), never fatal.
 */
export async function runStatus(o: StatusOptions, deps: Deps): Promise<StatusResult> {
  const listed = await runList(o, deps);
  const ctx = await openContext(o, deps, "if-stale");
  const problems = new Set<string>();
  // package names per cause: a registry that is down is reported once, not once per package
  const unchecked = new Map<string, string[]>();
  const staleChecks = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, message: string, name: string) => map.set(message, [...(map.get(message) ?? []), name]);
  let cached: Registries | undefined;
  const fromCache = () => (cached ??= new Registries(ctx.registries.refs, deps, { offline: true, policy: "if-stale" }));

  /** Run a registry lookup for `name`; a failure that only means "could not check" is noted, and answers null. */
  const checked = async <T>(name: string, look: (r: Registries) => Promise<T>): Promise<T | null> => {
    try {
      return await look(ctx.registries);
    } catch (err) {
      if (!checkError(err)) throw err;
      try {
        if (err.code !== "E_REGISTRY_UNREACHABLE" || o.offline) throw err;
        const answer = await look(fromCache());
        note(staleChecks, err.message, name);
        return answer;
      } catch {
        note(unchecked, err.message, name);
        return null;
      }
    }
  };

  const newerPlugin = async (p: ListedPlugin): Promise<string | null> => {
    const dep = own(ctx.files.manifest.plugins, p.name);
    if (!dep) return null;
    const version = await checked(p.name, async (r) => {
      const found = await findPlugin(r, p.name, stickyRegistry(r, dep, own(ctx.files.lock.plugins, p.name)));
      if (!found) return undefined;
      return resolveVersion({ ...found.plugin, name: p.name }, dep.range, found.source.name).version;
    });
    if (version === undefined) note(unchecked, `plugin ${p.name} is no longer in ${dep.registry ? `registry ${dep.registry}` : "any configured registry"}`, p.name);
    return version && version !== p.version ? version : null;
  };

  const newer = async (a: ListedAgent, locked: LockEntry): Promise<string | null> => {
    const dep = own(ctx.files.manifest.agents, a.name);
    if (!dep) return null;
    const e = (await checked(a.name, (r) => resolveAgent(r, a.name, dep, locked)))?.entry;
    return !e || (e.version === locked.version && e.sha256 === locked.sha256) ? null : e.version;
  };

  const agents = await Promise.all(
    listed.agents.map(async (a): Promise<StatusAgent> => {
      const locked = ctx.files.lock.agents[a.name]!;
      const [edits, upgrade] = await Promise.all([editsOf(ctx, a, locked, problems), newer(a, locked)]);
      return { ...a, edits, upgrade };
    }),
  );
  const plugins = await Promise.all(
    listed.plugins.map(async (p): Promise<StatusPlugin> => {
      const [files, upgrade] = await Promise.all([pluginEdits(ctx, p, problems), newerPlugin(p)]);
      return { ...p, files, edits: sumEdits(files), upgrade };
    }),
  );
  for (const w of listed.warnings) problems.add(w);
  for (const [message, names] of unchecked) problems.add(`${message}; could not check ${names.sort().join(", ")} for upgrades`);
  for (const [message, names] of staleChecks) problems.add(`${message}; checked ${names.sort().join(", ")} for upgrades against the cached copy`);
  return {
    agents,
    untracked: listed.untracked,
    notInstalled: listed.notInstalled,
    plugins,
    pluginsNotInstalled: listed.pluginsNotInstalled,
    problems: [...problems].sort(),
  };
}

async function editsOf(ctx: Context, a: ListedAgent, locked: LockEntry, problems: Set<string>): Promise<DiffStat | null> {
  if (a.state !== "modified" && a.state !== "merged") return null;
  const file = await readAgentFile(ctx.scope, locked.file);
  if (file.kind === "missing") return null;
  try {
    const pristine = await loadPristine(ctx, locked);
    return diffStat(pristine.toString("utf8"), file.content.toString("utf8"));
  } catch (err) {
    if (!checkError(err)) throw err;
    problems.add(`${a.name}: cannot load the pristine ${a.version} to compare: ${err.message}`);
    return null;
  }
}

/** The lines changed in each edited file of a plugin; one file at a time, so its pristine copy is fetched once. */
async function pluginEdits(ctx: Context, p: ListedPlugin, problems: Set<string>): Promise<StatusPluginFile[]> {
  const locked = lockedPluginFiles(ctx, p.name);
  const out: StatusPluginFile[] = [];
  for (const t of p.files) {
    const f = locked.get(t.file);
    if (!f || (t.state !== "modified" && t.state !== "merged")) {
      out.push({ ...t, edits: null });
      continue;
    }
    try {
      const { pristine, local } = await pristineAndLocal(ctx, f);
      const [before, after] = [diffableText(pristine, t.kind), local && diffableText(local, t.kind)];
      out.push({ ...t, edits: before !== null && after !== null ? diffStat(before, after) : null });
    } catch (err) {
      if (!checkError(err)) throw err;
      problems.add(`plugin ${p.name}: cannot load the pristine ${p.version} of ${t.file} to compare: ${err.message}`);
      out.push({ ...t, edits: null });
    }
  }
  return out;
}

function sumEdits(files: readonly StatusPluginFile[]): DiffStat | null {
  const edited = files.filter((f) => f.edits);
  if (edited.length === 0) return null;
  return { added: edited.reduce((n, f) => n + f.edits!.added, 0), removed: edited.reduce((n, f) => n + f.edits!.removed, 0) };
}
