import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { parseAgent } from "../agent/parse.js";
import { listAgentFiles, readLoadableAgentText } from "../project/agents-dir.js";
import { scopeFile } from "../project/scope.js";
import type { Step } from "../plan/plan.js";
import type { Context } from "./context.js";

/**
 * Claude Code knows an agent by its `name` field; two files with the same name in one scope load
 * unpredictably. Refuse a plan whose incoming agent files (file -> their parsed name field) would create
 * such a pair.
 */
export async function checkNameClashes(ctx: Context, steps: readonly Step[], incoming: ReadonlyMap<string, string | undefined>): Promise<void> {
  if (incoming.size === 0) return;
  const writing = new Set<string>();
  const leaving = new Set<string>();
  for (const s of steps) {
    if (s.op === "remove" && s.resolution !== "keep") leaving.add(s.file);
    else if (s.op !== "remove" && s.kind === "agent" && incoming.has(s.file)) writing.add(s.file);
  }
  const owners = new Map<string, string>(); // agent name field -> file
  for (const file of writing) {
    const name = incoming.get(file);
    if (name === undefined) continue;
    const other = owners.get(name);
    if (other) throw clash(name, other, file);
    owners.set(name, file);
  }
  const incomingNames = [...owners.keys()];
  for (const file of await listAgentFiles(ctx.scope)) {
    if (writing.has(file) || leaving.has(file)) continue;
    const text = readLoadableAgentText(scopeFile(ctx.scope, file));
    // a file can only carry one of these names if the name's text is in it: skip the YAML parse otherwise
    if (text === undefined || !incomingNames.some((n) => text.includes(n))) continue;
    const name = parseAgent(text).name;
    const other = name === undefined ? undefined : owners.get(name);
    if (other) throw clash(name!, file, other);
  }
}


function clash(name: string, existing: string, incoming: string): AgentpkgError {
  return new AgentpkgError("E_AGENT_INVALID", `${incoming} would be a second agent named "${name}" (${existing} already is); Claude Code would load only one of them`, {
    hint: `remove or rename one of them first (agentpkg remove AGENT, or change the name field of ${existing})`,
  });
}
