// Synthetic Claude Code plugin marketplaces for the plugin tests: every kind of part, written the way real
// plugins are (hooks.json with ${CLAUDE_PLUGIN_ROOT} scripts, .mcp.json, skills with several files, a
// plugin.json that lists only some agents, a command in a subfolder).
import { expect } from "vitest";
import { agentText, GitRepo, Sandbox } from "./helpers.js";

export const HELLO_SH = `#!/bin/sh
# a SessionStart hook: proves it ran, and that it found its plugin folder
echo "kit hook ran" > "\${CLAUDE_PROJECT_DIR:-.}/.kit-hook-ran"
[ -f "$CLAUDE_PLUGIN_ROOT/scripts/hello.sh" ] || exit 7
exit 0
`;

/** A minimal MCP server (stdio, JSON lines, no tools): enough for `claude mcp list` to say it connected. */
export const MCP_SERVER_JS = `// a minimal MCP server: answers initialize and tools/list
let buf = "";
process.stdin.on("data", (d) => {
  buf += d;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (!line) continue;
    const m = JSON.parse(line);
    if (m.id === undefined) continue;
    const result = m.method === "initialize" ? { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "kit", version: "1.0.0" } } : m.method === "tools/list" ? { tools: [] } : {};
    process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, result }) + "\\n");
  }
});
`;

export const KIT_HOOKS = {
  description: "kit hooks",
  hooks: {
    SessionStart: [{ hooks: [{ type: "command", command: "${CLAUDE_PLUGIN_ROOT}/scripts/hello.sh" }] }],
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "node ${CLAUDE_PLUGIN_ROOT}/scripts/guard.js" }] }],
  },
};

export const KIT_MCP = {
  mcpServers: {
    "kit-server": { command: "node", args: ["${CLAUDE_PLUGIN_ROOT}/scripts/server.js"], env: { KIT_MODE: "test" } },
  },
};

/** The plugin `kit` at `version`: plugin.json lists two of its three agents (the third is not loaded). */
export function writeKit(mk: GitRepo, version: string, o: { commandBody?: string } = {}): GitRepo {
  const p = "plugins/kit";
  return mk
    .write(`${p}/.claude-plugin/plugin.json`, { name: "kit", version, description: "A kit of every part", agents: ["./agents/planner.md", "./agents/nested/inner.md"] })
    .write(`${p}/agents/planner.md`, agentText("planner", { description: "Plans work", extra: "permissionMode: bypassPermissions" }))
    .write(`${p}/agents/nested/inner.md`, agentText("inner", { description: "An inner agent" }))
    .write(`${p}/agents/unlisted.md`, agentText("unlisted", { description: "Not listed in plugin.json" }))
    .write(`${p}/commands/greet.md`, `---\ndescription: Greets\n---\n${o.commandBody ?? "Say hello.\nLine two.\nLine three.\nLine four.\n"}Run \${CLAUDE_PLUGIN_ROOT}/scripts/greet.sh\n`)
    .write(`${p}/commands/sub/deep.md`, "---\ndescription: A nested command\n---\nDeep.\n")
    .write(`${p}/skills/alpha/SKILL.md`, "---\nname: alpha\ndescription: Alpha skill. Use for alpha.\n---\nRun ${CLAUDE_PLUGIN_ROOT}/skills/alpha/scripts/run.sh\n")
    .write(`${p}/skills/alpha/scripts/run.sh`, "#!/bin/sh\necho alpha\n", { executable: true })
    .write(`${p}/skills/alpha/reference.md`, "# Alpha reference\n")
    .write(`${p}/skills/beta-folder/SKILL.md`, "---\nname: beta-name\ndescription: Beta skill. Use for beta.\n---\nBeta.\n")
    .write(`${p}/hooks/hooks.json`, KIT_HOOKS)
    .write(`${p}/.mcp.json`, KIT_MCP)
    .write(`${p}/scripts/hello.sh`, HELLO_SH, { executable: true })
    .write(`${p}/scripts/greet.sh`, "#!/bin/sh\necho hello from kit\n", { executable: true })
    .write(`${p}/scripts/guard.js`, "process.exit(0);\n")
    .write(`${p}/scripts/server.js`, MCP_SERVER_JS);
}

/** A marketplace `mk` with the plugin `kit` (1.0.0) and a small agents-only plugin `solo`. */
export function kitMarketplace(root: string): GitRepo {
  const mk = new GitRepo(root, "kit-market");
  mk.write(".claude-plugin/marketplace.json", {
    name: "kit-market",
    owner: { name: "tests" },
    plugins: [
      { name: "kit", source: "./plugins/kit", description: "A kit of every part" },
      { name: "solo", source: "./plugins/solo", version: "0.3.0", description: "One agent" },
    ],
  });
  mk.write("plugins/solo/agents/solo.md", agentText("solo-agent", { description: "Works alone" }));
  writeKit(mk, "1.0.0");
  mk.commit("kit 1.0.0, solo 0.3.0");
  return mk;
}

/** A sandbox whose project has the marketplace above added as the registry `mk`. */
export async function kitSandbox(): Promise<{ sb: Sandbox; mk: GitRepo }> {
  const sb = new Sandbox();
  const mk = kitMarketplace(sb.root);
  const r = await sb.run(["registry", "add", "mk", mk.url]);
  expect(r.code, r.stderr).toBe(0);
  return { sb, mk };
}
