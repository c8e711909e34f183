import type { Deps } from "../util/deps.js";
import { listAgentFiles, readAgentFile } from "../project/agents-dir.js";
import { openContext, type CommonOptions } from "../change/context.js";
import { own } from "../util/json.js";

export type AgentState = "ok" | "modified" | "merged" | "missing";

export interface ListedAgent {
  name: string;
  version: string;
  range: string | null;
  registry: string;
  file: string;
  state: AgentState;
}

export interface ListResult {
  agents: ListedAgent[];
  /** agent files in the folder that agentpkg did not install */
  untracked: string[];
  /** manifest entries with no lock entry yet (run install) */
  notInstalled: string[];
}

export type ListOptions = CommonOptions;

/** Installed agents and the state of each file, plus untracked agent files (never touches the network). */
export async function runList(o: ListOptions, deps: Deps): Promise<ListResult> {
  const ctx = await openContext(o, deps);
  const { lock, manifest } = ctx.files;
  const agents = await Promise.all(
    Object.entries(lock.agents).map(async ([name, e]): Promise<ListedAgent> => {
      const file = await readAgentFile(ctx.scope, e.file);
      const state: AgentState =
        file.kind === "missing" ? "missing" : file.sha256 === e.sha256 ? "ok" : file.sha256 === e.localSha256 ? "merged" : "modified";
      const dep = own(manifest.agents, name);
      return { name, version: e.version, range: dep?.range ?? null, registry: e.registry, file: e.file, state };
    }),
  );
  const tracked = new Set(Object.values(lock.agents).map((e) => e.file));
  const untracked = (await listAgentFiles(ctx.scope)).filter((f) => !tracked.has(f));
  const notInstalled = Object.keys(manifest.agents).filter((n) => !Object.hasOwn(lock.agents, n)).sort();
  return { agents: agents.sort((a, b) => a.name.localeCompare(b.name)), untracked, notInstalled };
}
