// Agents hidden by another of the same name. Claude Code started in a folder loads agents from
// `.claude/agents` there and in each parent up to (not including) the home folder, the nearest first, then
// the user's (~/.claude/agents, or $CLAUDE_CONFIG_DIR/agents); for one name the first of these wins and the
// others are never loaded (DESIGN.md §1). Plugins Claude Code installed itself name their agents
// `plugin:agent`, so only an agent of that exact name could hide one; those are not looked at here.
import path from "node:path";
import { parseAgent } from "../agent/parse.js";
import { findAgentFiles, readLoadableAgentText } from "./agents-dir.js";

/** One agents folder Claude Code reads, with its place in the order. */
export interface AgentsFolder {
  level: "project" | "user";
  dir: string;
}

export interface AgentDefinition {
  name: string;
  /** absolute path */
  file: string;
  level: AgentsFolder["level"];
  /** index of its folder in the order: lower wins */
  rank: number;
}

export interface ShadowedAgent {
  name: string;
  /** the file Claude Code loads */
  winner: AgentDefinition;
  /** the file it hides */
  hidden: AgentDefinition;
}

/** The agents folders a Claude Code started in `cwd` reads, highest priority first. */
export function agentsFolders(cwd: string, home: string, userAgentsDir: string): AgentsFolder[] {
  const out: AgentsFolder[] = [];
  const stop = path.resolve(home);
  for (let dir = path.resolve(cwd); dir !== stop; dir = path.dirname(dir)) {
    out.push({ level: "project", dir: path.join(dir, ".claude", "agents") });
    if (path.dirname(dir) === dir) break;
  }
  out.push({ level: "user", dir: userAgentsDir });
  return out;
}

/**
 * Pure: for each name defined in more than one folder, the definition that wins and each one it hides. Two
 * files of one name in the same folder are a clash (doctor reports those), not shadowing.
 */
export function shadowedAmong(defs: readonly AgentDefinition[]): ShadowedAgent[] {
  const winners = new Map<string, AgentDefinition>();
  for (const d of [...defs].sort((a, b) => a.rank - b.rank)) if (!winners.has(d.name)) winners.set(d.name, d);
  const out: ShadowedAgent[] = [];
  for (const d of defs) {
    const w = winners.get(d.name)!;
    if (w.rank < d.rank) out.push({ name: d.name, winner: w, hidden: d });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.hidden.rank - b.hidden.rank));
}

/**
 * Every loadable agent file of the folders, by its `name` field. When fewer than two folders hold any agent
 * file nothing can be shadowed, and no file is read (the usual case: no user or parent agents).
 */
export async function agentDefinitions(folders: readonly AgentsFolder[]): Promise<AgentDefinition[]> {
  const found: { rank: number; level: AgentsFolder["level"]; files: string[] }[] = [];
  const seen = new Set<string>();
  for (const [rank, f] of folders.entries()) {
    const dir = path.resolve(f.dir);
    if (seen.has(dir)) continue; // CLAUDE_CONFIG_DIR inside a project: one folder, read once
    seen.add(dir);
    const files = (await findAgentFiles(dir, { sizes: false })).map((x) => x.abs);
    if (files.length) found.push({ rank, level: f.level, files });
  }
  if (found.length < 2) return [];
  const out: AgentDefinition[] = [];
  for (const { rank, level, files } of found) {
    for (const file of files) {
      const text = readLoadableAgentText(file);
      const name = text === undefined ? undefined : parseAgent(text).name;
      if (name) out.push({ name, file, level, rank });
    }
  }
  return out;
}

/** The shadowed agents that involve a file under `dir` (the scope's agents folder), either way. */
export async function shadowedAgents(folders: readonly AgentsFolder[], dir: string): Promise<ShadowedAgent[]> {
  const prefix = path.resolve(dir) + path.sep;
  const all = shadowedAmong(await agentDefinitions(folders));
  return all.filter((s) => s.winner.file.startsWith(prefix) || s.hidden.file.startsWith(prefix));
}
