// A plugin's `.claude-plugin/plugin.json` and the component fields of its marketplace entry, read leniently:
// what Claude Code would load from them (DESIGN.md §1b, docs/plugins.md).
import { isPlainObject } from "../util/json.js";

export const PLUGIN_JSON = ".claude-plugin/plugin.json";

/** Where a plugin's components are: paths (relative to the plugin root) and inline hook / MCP configs. */
export interface Components {
  agents: string[];
  commands: string[];
  skills: string[];
  outputStyles: string[];
  /** paths of hooks files (`{"hooks": {...}}`) or inline hook maps (`{Event: [...]}`) */
  hooks: (string | Record<string, unknown>)[];
  /** paths of MCP config files (`{"mcpServers": {...}}`) or inline server maps */
  mcpServers: (string | Record<string, unknown>)[];
}

/** plugin.json: its identity and the components it names (which replace, or add to, the default folders). */
export interface PluginJson extends Components {
  name?: string;
  version?: string;
  description?: string;
  /** fields a project cannot give Claude Code (LSP servers, monitors, userConfig ...): their names */
  projectless: string[];
  /** the component fields present (agents, commands and outputStyles replace their default folders) */
  declared: Set<keyof Components>;
}

/** Fields of plugin.json that only a plugin install can honour; a vendored plugin warns about each. */
const PROJECTLESS = ["lspServers", "monitors", "userConfig", "channels", "settings", "themes", "workflows", "dependencies"];

const paths = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const configs = (v: unknown): (string | Record<string, unknown>)[] =>
  typeof v === "string" ? [v] : isPlainObject(v) ? [v] : Array.isArray(v) ? v.filter((x): x is string | Record<string, unknown> => typeof x === "string" || isPlainObject(x)) : [];

export function emptyComponents(): Components {
  return { agents: [], commands: [], skills: [], outputStyles: [], hooks: [], mcpServers: [] };
}

/** The component fields of a plugin.json or a marketplace entry object. */
export function componentsOf(raw: Record<string, unknown>): { components: Components; declared: Set<keyof Components> } {
  const components: Components = {
    agents: paths(raw.agents),
    commands: paths(raw.commands),
    skills: paths(raw.skills),
    outputStyles: paths(raw.outputStyles),
    hooks: configs(raw.hooks),
    mcpServers: configs(raw.mcpServers),
  };
  const declared = new Set((Object.keys(components) as (keyof Components)[]).filter((k) => raw[k] !== undefined));
  return { components, declared };
}

/** Parse plugin.json; undefined when it is not a JSON object (Claude Code would not load the plugin's manifest). */
export function parsePluginJson(text: string): PluginJson | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(raw)) return undefined;
  const { components, declared } = componentsOf(raw);
  return {
    ...components,
    declared,
    name: typeof raw.name === "string" && raw.name.trim() ? raw.name.trim() : undefined,
    version: typeof raw.version === "string" ? raw.version : undefined,
    description: typeof raw.description === "string" ? raw.description : undefined,
    projectless: PROJECTLESS.filter((k) => raw[k] !== undefined),
  };
}
