// The project's shared JSON files that plugins add entries to (.claude/settings.json hooks, .mcp.json
// servers), edited entry by entry: what the user wrote there (other keys, their order, other hooks and
// servers) is kept; only the entries agentpkg added or removes change.
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { isPlainObject, stableJson } from "../util/json.js";

/** One entry, by its key path in the host file: `["hooks", Event, sha12]` or `["mcpServers", name]`. */
export interface EntryEdit {
  key: readonly string[];
  /** the value to put there; undefined removes the entry */
  value: unknown;
}

function parseHost(text: string, host: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new AgentpkgError("E_IO", `${host} is not valid JSON (${(err as Error).message.split("\n")[0]}); agentpkg keeps plugin entries there`, {
      hint: `fix ${host} (or move it away), then re-run`,
    });
  }
  if (!isPlainObject(v)) throw new AgentpkgError("E_IO", `${host} must hold a JSON object`, { hint: `fix ${host} (or move it away), then re-run` });
  return v;
}

const groupMatches = (group: unknown, sha12: string) => sha256(stableJson(group)).startsWith(sha12);

/** The value of one entry in a host file's text (undefined: absent, or no such file). */
export function entryValue(text: string | undefined, host: string, key: readonly string[]): unknown {
  if (text === undefined) return undefined;
  const doc = parseHost(text, host);
  const [top, a, b] = key;
  const section = doc[top!];
  if (!isPlainObject(section)) return undefined;
  if (top === "hooks") {
    const groups = section[a!];
    return Array.isArray(groups) ? groups.find((g) => groupMatches(g, b!)) : undefined;
  }
  return Object.hasOwn(section, a!) ? section[a!] : undefined;
}

/**
 * Every hook group and MCP server of a host file's text, each with the key agentpkg would give it
 * (`["hooks", Event, sha12]`, `["mcpServers", name]`), whoever added it.
 */
export function listEntries(text: string | undefined, host: string): { key: string[]; value: unknown }[] {
  if (text === undefined) return [];
  const doc = parseHost(text, host);
  const out: { key: string[]; value: unknown }[] = [];
  if (isPlainObject(doc.hooks)) {
    for (const [event, groups] of Object.entries(doc.hooks)) {
      if (!Array.isArray(groups)) continue;
      for (const g of groups) out.push({ key: ["hooks", event, sha256(stableJson(g)).slice(0, 12)], value: g });
    }
  }
  if (isPlainObject(doc.mcpServers)) for (const [name, server] of Object.entries(doc.mcpServers)) out.push({ key: ["mcpServers", name], value: server });
  return out;
}

/** The indentation the file uses (2 spaces when it cannot tell), so an edit does not reformat it. */
function indentOf(text: string): string | number {
  const m = /\n([ \t]+)\S/.exec(text);
  return m ? m[1]! : 2;
}

/**
 * Apply entry edits to a host file's text. Hook groups are appended to their event's list (an identical group
 * is not added twice) and removed by content; servers are set or deleted by name. Sections left empty by a
 * removal go, and a file left with nothing in it is deleted (undefined).
 */
export function editSharedJson(text: string | undefined, host: string, edits: readonly EntryEdit[]): string | undefined {
  const doc = text === undefined ? {} : parseHost(text, host);
  for (const { key, value } of edits) {
    const [top, a, b] = key as [string, string, string | undefined];
    const section = isPlainObject(doc[top]) ? doc[top] : (doc[top] = {});
    if (top === "hooks") {
      const list = Array.isArray(section[a]) ? (section[a] as unknown[]) : [];
      const kept = list.filter((g) => !groupMatches(g, b!));
      if (value !== undefined && !kept.some((g) => stableJson(g) === stableJson(value))) kept.push(value);
      if (kept.length) section[a] = kept;
      else delete section[a];
    } else if (value === undefined) delete section[a];
    else section[a] = value;
    if (Object.keys(section).length === 0) delete doc[top];
  }
  if (Object.keys(doc).length === 0) return undefined;
  return JSON.stringify(doc, null, text === undefined ? 2 : indentOf(text)) + "\n";
}
