// A plugin's hook groups and MCP servers, as entries agentpkg adds to the project's shared files
// (.claude/settings.json and .mcp.json) and tracks one by one: a fragment is identified by its host file and
// a key, and its content by the sha256 of its canonical JSON.
import { isPlainObject, stableJson } from "../util/json.js";
import type { ConfigSource } from "./layout.js";
import { rewritePluginVars, userConfigKeys, vendorHookCommand, pluginFolders, type VendorScope } from "./rewrite.js";
import { sha256 } from "../util/hash.js";
import { mcpHost, SETTINGS_FILE } from "../project/shared-hosts.js";

export interface Fragment {
  /**
   * `<host file>#<key>`: `.claude/settings.json#hooks/<Event>/<sha12>`, or `.mcp.json#mcpServers/<name>`
   * (`.claude.json#mcpServers/<name>` in the user scope)
   */
  file: string;
  kind: "hook" | "mcp";
  /** the hook's event, or the server's name */
  part: string;
  /** the plugin file the config came from */
  path: string;
  value: unknown;
  /** the canonical JSON of the value: what the store keeps and the lock's sha256 is of */
  content: Buffer;
}

/** Event and server names become keys in a fragment's id: plain names only. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function fragment(file: string, kind: Fragment["kind"], part: string, where: string, value: unknown): Fragment {
  return { file, kind, part, path: where, value, content: Buffer.from(stableJson(value)) };
}

/** Each hook group of the plugin, its commands run from the plugin's vendored folder. */
export function hookFragments(sources: readonly ConfigSource[], key: string, scope: VendorScope, warnings: string[]): Fragment[] {
  const out = new Map<string, Fragment>();
  for (const { where, map } of sources) {
    for (const [event, groups] of Object.entries(map)) {
      if (!NAME.test(event) || !Array.isArray(groups)) {
        warnings.push(`${where}: hooks.${event} is not a list of hook groups; ignored`);
        continue;
      }
      for (const group of groups) {
        if (!isPlainObject(group) || !Array.isArray(group.hooks)) {
          warnings.push(`${where}: a hooks.${event} entry has no "hooks" list; ignored`);
          continue;
        }
        const hooks = group.hooks.map((h) => {
          if (!isPlainObject(h) || typeof h.command !== "string") return h;
          for (const k of userConfigKeys(h.command)) warnings.push(`${where}: a ${event} hook uses \${user_config.${k}}, which only Claude Code's own plugin install asks for`);
          return { ...h, command: vendorHookCommand(h.command, key, scope) };
        });
        const value = { ...group, hooks };
        const id = `${SETTINGS_FILE}#hooks/${event}/${sha256(stableJson(value)).slice(0, 12)}`;
        if (!out.has(id)) out.set(id, fragment(id, "hook", event, where, value));
      }
    }
  }
  return [...out.values()];
}

function rewriteStrings(v: unknown, key: string, scope: VendorScope): unknown {
  if (typeof v === "string") return rewritePluginVars(v, key, "mcp", scope);
  if (Array.isArray(v)) return v.map((x) => rewriteStrings(x, key, scope));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewriteStrings(x, key, scope)]));
  return v;
}

/**
 * Each MCP server of the plugin, under its own name, its paths pointed at the plugin's vendored folder: in the
 * project's .mcp.json, or (user scope) in ~/.claude.json, where Claude Code keeps the user's servers.
 */
export function mcpFragments(sources: readonly ConfigSource[], key: string, scope: VendorScope, warnings: string[]): Fragment[] {
  const out = new Map<string, Fragment>();
  for (const { where, map } of sources) {
    for (const [name, server] of Object.entries(map)) {
      if (!NAME.test(name) || !isPlainObject(server)) {
        warnings.push(`${where}: MCP server "${name}" is not a usable entry; ignored`);
        continue;
      }
      for (const k of userConfigKeys(JSON.stringify(server))) warnings.push(`${where}: MCP server ${name} uses \${user_config.${k}}, which only Claude Code's own plugin install asks for`);
      const value = rewriteStrings(server, key, scope) as Record<string, unknown>;
      // a plugin's server also finds its folder in the environment
      if (typeof value.command === "string") {
        const env = isPlainObject(value.env) ? value.env : {};
        if (!Object.hasOwn(env, "CLAUDE_PLUGIN_ROOT")) value.env = { ...env, CLAUDE_PLUGIN_ROOT: rewritePluginVars("${CLAUDE_PLUGIN_ROOT}", key, "mcp", scope) };
      }
      const id = `${mcpHost(scope.global)}#mcpServers/${name}`;
      if (out.has(id)) warnings.push(`${where}: MCP server ${name} is defined twice; the first definition is used`);
      else out.set(id, fragment(id, "mcp", name, where, value));
    }
  }
  return [...out.values()];
}
