import { describe, expect, it } from "vitest";
import { rewritePluginVars, vendorHookCommand } from "./rewrite.js";
import { mcpFragments } from "./fragments.js";

const project = { global: false, root: "/work/proj" };
const user = { global: true, root: "/home/ann" };

describe("plugin variables per scope", () => {
  it("a project names the plugin's folder through the project; the user scope by its absolute path", () => {
    const text = "Run ${CLAUDE_PLUGIN_ROOT}/x.sh, data in ${CLAUDE_PLUGIN_DATA}";
    expect(rewritePluginVars(text, "kit", "command", project)).toBe("Run ${CLAUDE_PROJECT_DIR}/.claude/agentpkg/plugins/kit/x.sh, data in ${CLAUDE_PROJECT_DIR}/.claude/agentpkg/data/kit");
    expect(rewritePluginVars(text, "kit", "agent", project)).toBe("Run .claude/agentpkg/plugins/kit/x.sh, data in .claude/agentpkg/data/kit");
    for (const context of ["command", "skill", "agent", "hook", "mcp"] as const) {
      expect(rewritePluginVars(text, "kit", context, user), context).toBe("Run /home/ann/.claude/agentpkg/plugins/kit/x.sh, data in /home/ann/.claude/agentpkg/data/kit");
    }
  });

  it("a home folder's odd characters are text: never replacement patterns, escaped inside the hook's double quotes", () => {
    const odd = { global: true, root: '/home/a$&"b/' };
    expect(rewritePluginVars("${CLAUDE_PLUGIN_ROOT}", "kit", "mcp", odd)).toBe('/home/a$&"b/.claude/agentpkg/plugins/kit');
    expect(vendorHookCommand("$CLAUDE_PLUGIN_ROOT/hello.sh", "kit", odd)).toBe(
      'export CLAUDE_PLUGIN_ROOT="/home/a\\$&\\"b/.claude/agentpkg/plugins/kit" CLAUDE_PLUGIN_DATA="/home/a\\$&\\"b/.claude/agentpkg/data/kit"; /home/a$&"b/.claude/agentpkg/plugins/kit/hello.sh',
    );
    expect(vendorHookCommand("${CLAUDE_PLUGIN_ROOT}/hello.sh", "kit", project)).toBe(
      'export CLAUDE_PLUGIN_ROOT="${CLAUDE_PROJECT_DIR}/.claude/agentpkg/plugins/kit" CLAUDE_PLUGIN_DATA="${CLAUDE_PROJECT_DIR}/.claude/agentpkg/data/kit"; ${CLAUDE_PROJECT_DIR}/.claude/agentpkg/plugins/kit/hello.sh',
    );
  });

  it("MCP servers are entries of the project's .mcp.json, or of ~/.claude.json in the user scope", () => {
    const sources = [{ where: ".mcp.json", map: { srv: { command: "node", args: ["${CLAUDE_PLUGIN_ROOT}/s.js"] } } }];
    const [p] = mcpFragments(sources, "kit", project, []);
    const [u] = mcpFragments(sources, "kit", user, []);
    expect(p).toMatchObject({ file: ".mcp.json#mcpServers/srv", value: { args: [".claude/agentpkg/plugins/kit/s.js"], env: { CLAUDE_PLUGIN_ROOT: ".claude/agentpkg/plugins/kit" } } });
    expect(u).toMatchObject({ file: ".claude.json#mcpServers/srv", value: { args: ["/home/ann/.claude/agentpkg/plugins/kit/s.js"], env: { CLAUDE_PLUGIN_ROOT: "/home/ann/.claude/agentpkg/plugins/kit" } } });
  });
});
