// The always-loaded context cost of what is on disk (agent/listing.ts has the rules): per agent file, per
// plugin (its agents, commands and skills), read as the files are now.
import { listingTokens, type ListedKind } from "../agent/listing.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import type { PartKind, PluginLock } from "./lock-plugins.js";
import { scopeFile, type Scope } from "./scope.js";

/** Which files Claude Code lists: agents, commands, and a skill's SKILL.md (its other files are read on use). */
function listedKind(kind: PartKind, file: string): ListedKind | undefined {
  if (kind === "agent" || kind === "command") return kind;
  return kind === "skill" && file.endsWith("/SKILL.md") ? "skill" : undefined;
}

/**
 * Tokens a file adds to every conversation; 0 for a file Claude Code does not list (or cannot read: missing,
 * too large). `part`: the name Claude Code lists a command or skill by (`kit:greet`, a skill's folder).
 */
export function fileListingTokens(scope: Scope, file: string, kind: PartKind, part: string): number {
  const listed = listedKind(kind, file);
  if (!listed) return 0;
  const r = tryReadRegularFile(scopeFile(scope, file), { limit: MAX_AGENT_BYTES });
  return r.ok ? listingTokens(listed, r.data.toString("utf8"), part) : 0;
}

/** A plugin's agents, commands and skills, as installed. */
export function pluginListingTokens(scope: Scope, plugin: PluginLock): number {
  let total = 0;
  for (const [file, f] of Object.entries(plugin.files)) if (!file.includes("#")) total += fileListingTokens(scope, file, f.kind, f.part);
  return total;
}
