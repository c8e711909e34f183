import { parseAgent, splitFrontmatter } from "../agent/parse.js";
import { stableJson } from "../util/json.js";

/** Frontmatter Claude Code ignores in a plugin's agents: vendored as project agents, they would take effect. */
const PLUGIN_AGENT_IGNORED = ["permissionMode", "hooks", "mcpServers"];

const isKeyLine = (line: string) => /^[^\s#-]/.test(line);

/**
 * A plugin agent as a project agent with the same powers: its top-level `permissionMode`, `hooks` and
 * `mcpServers` blocks are cut from the frontmatter, line for line, everything else kept byte for byte.
 * When the frontmatter cannot be cut cleanly (the rest would parse differently), the text is returned
 * as is and nothing is reported dropped: the permission review then shows those fields.
 */
export function withoutPluginAgentFields(text: string): { text: string; dropped: string[] } {
  const split = splitFrontmatter(text);
  if (split.kind !== "ok") return { text, dropped: [] };
  const before = parseAgent(text).frontmatter;
  const present = PLUGIN_AGENT_IGNORED.filter((k) => Object.hasOwn(before, k));
  if (present.length === 0) return { text, dropped: [] };
  const kept: string[] = [];
  let dropping = false;
  for (const line of split.yamlLines) {
    if (isKeyLine(line)) dropping = present.some((k) => line.startsWith(`${k}:`));
    if (!dropping) kept.push(line);
  }
  const eol = split.eol;
  const result = ["---", ...kept, "---"].join(eol) + eol + split.body;
  const after = parseAgent(result).frontmatter;
  const expected = Object.fromEntries(Object.entries(before).filter(([k]) => !present.includes(k)));
  return stableJson(after) === stableJson(expected) ? { text: result, dropped: present } : { text, dropped: [] };
}
