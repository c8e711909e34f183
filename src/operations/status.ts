import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { diffStat, type DiffStat } from "../util/text-diff.js";
import { readAgentFile } from "../project/agents-dir.js";
import type { LockEntry } from "../project/lockfile.js";
import { Registries } from "../sources/registries.js";
import { openContext, type CommonOptions, type Context } from "../change/context.js";
import { loadPristine } from "../change/content.js";
import { resolveAgent } from "../change/resolve-agent.js";
import { runList, type ListedAgent } from "./list.js";

export interface StatusAgent extends ListedAgent {
  /** lines changed against the pristine installed version (modified and merged files) */
  edits: DiffStat | null;
  /** the version `upgrade` would install, when it differs from the locked one */
  upgrade: string | null;
}

export interface StatusResult {
  agents: StatusAgent[];
  untracked: string[];
  notInstalled: string[];
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
  // agent names per cause: a registry that is down is reported once, not once per agent
  const unchecked = new Map<string, string[]>();
  const staleChecks = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, message: string, name: string) => map.set(message, [...(map.get(message) ?? []), name]);
  let cached: Registries | undefined;
  const fromCache = () => (cached ??= new Registries(ctx.registries.refs, deps, { offline: true, policy: "if-stale" }));

  const newer = async (a: ListedAgent, locked: LockEntry): Promise<string | null> => {
    const dep = ctx.files.manifest.agents[a.name];
    if (!dep) return null;
    let resolved;
    try {
      resolved = await resolveAgent(ctx.registries, a.name, dep, locked);
    } catch (err) {
      if (!checkError(err)) throw err;
      try {
        if (err.code !== "E_REGISTRY_UNREACHABLE" || o.offline) throw err;
        resolved = await resolveAgent(fromCache(), a.name, dep, locked);
        note(staleChecks, err.message, a.name);
      } catch {
        note(unchecked, err.message, a.name);
        return null;
      }
    }
    const e = resolved.entry;
    return e.version === locked.version && e.sha256 === locked.sha256 ? null : e.version;
  };

  const agents = await Promise.all(
    listed.agents.map(async (a): Promise<StatusAgent> => {
      const locked = ctx.files.lock.agents[a.name]!;
      const [edits, upgrade] = await Promise.all([editsOf(ctx, a, locked, problems), newer(a, locked)]);
      return { ...a, edits, upgrade };
    }),
  );
  for (const [message, names] of unchecked) problems.add(`${message}; could not check ${names.sort().join(", ")} for upgrades`);
  for (const [message, names] of staleChecks) problems.add(`${message}; checked ${names.sort().join(", ")} for upgrades against the cached copy`);
  return { agents, untracked: listed.untracked, notInstalled: listed.notInstalled, problems: [...problems].sort() };
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
