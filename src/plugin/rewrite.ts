// ${CLAUDE_PLUGIN_ROOT} and ${CLAUDE_PLUGIN_DATA} in a vendored plugin. Claude Code substitutes them only for
// plugin content; in a project each kind of file has its own way to name the plugin's folder (observed on
// 2.1.197, docs/plugins.md "Variables"):
//   commands      ${CLAUDE_PROJECT_DIR}/<folder>     (substituted before `!` lines run; the braced form is allowed)
//   skills        ${CLAUDE_SKILL_DIR}/../../<folder> (the skill's own folder, whatever the working directory)
//   agents        <folder>, relative to the project   (agents substitute nothing)
//   hooks         ${CLAUDE_PROJECT_DIR}/<folder>     (the hook's shell expands it), and both variables exported
//   MCP servers   <folder>, relative                  (servers start in the project; ${CLAUDE_PROJECT_DIR} is not set there)

/** Where a vendored plugin's own files are, and its data folder, relative to the project root. */
export function pluginFolders(key: string): { root: string; data: string } {
  return { root: `.claude/agentpkg/plugins/${key}`, data: `.claude/agentpkg/data/${key}` };
}

export type RewriteContext = "command" | "skill" | "agent" | "hook" | "mcp";

const PREFIX: Record<RewriteContext, string> = {
  command: "${CLAUDE_PROJECT_DIR}/",
  skill: "${CLAUDE_SKILL_DIR}/../../../",
  agent: "",
  hook: "${CLAUDE_PROJECT_DIR}/",
  mcp: "",
};

/** `${VAR}` and, where a shell reads it (hooks), `$VAR` not followed by a name character. */
const pattern = (name: string, shell: boolean) => new RegExp(shell ? `\\$\\{${name}\\}|\\$${name}(?![A-Za-z0-9_])` : `\\$\\{${name}\\}`, "g");

export function rewritePluginVars(text: string, key: string, context: RewriteContext): string {
  const { root, data } = pluginFolders(key);
  const shell = context === "hook";
  const at = (folder: string) => `${PREFIX[context]}${folder}`;
  return text.replace(pattern("CLAUDE_PLUGIN_ROOT", shell), at(root)).replace(pattern("CLAUDE_PLUGIN_DATA", shell), at(data));
}

/** A hook command, rewritten and given both variables, as its scripts may read them from the environment. */
export function vendorHookCommand(command: string, key: string): string {
  const { root, data } = pluginFolders(key);
  return `export CLAUDE_PLUGIN_ROOT="\${CLAUDE_PROJECT_DIR}/${root}" CLAUDE_PLUGIN_DATA="\${CLAUDE_PROJECT_DIR}/${data}"; ${rewritePluginVars(command, key, "hook")}`;
}

/** `${user_config.KEY}`: values a plugin install asks for; a project has nowhere to ask them. */
export function userConfigKeys(text: string): string[] {
  return [...text.matchAll(/\$\{user_config\.([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1]!);
}
