// The shared files plugins add entries to, per scope, relative to the scope's root:
//   hooks        .claude/settings.json   (the project's, or ~/.claude/settings.json for --global)
//   MCP servers  .mcp.json               (the project's); for --global ~/.claude.json, top-level "mcpServers":
//                                        Claude Code keeps user-scope servers there and reads no ~/.mcp.json

export const SETTINGS_FILE = ".claude/settings.json";

/** Where a scope's MCP servers live. */
export function mcpHost(global: boolean): string {
  return global ? ".claude.json" : ".mcp.json";
}

/** Every shared file of a scope. */
export function sharedHosts(global: boolean): string[] {
  return [SETTINGS_FILE, mcpHost(global)];
}
