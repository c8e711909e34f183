// ${CLAUDE_PLUGIN_ROOT} and ${CLAUDE_PLUGIN_DATA} in a vendored plugin. Claude Code substitutes them only for
// plugin content; in a project each kind of file has its own way to name the plugin's folder (observed on
// 2.1.197, docs/plugins.md "Variables"):
//   commands      ${CLAUDE_PROJECT_DIR}/<folder>     (substituted before `!` lines run; the braced form is allowed)
//   skills        ${CLAUDE_SKILL_DIR}/../../<folder> (the skill's own folder, whatever the working directory)
//   agents        <folder>, relative to the project   (agents substitute nothing)
//   hooks         ${CLAUDE_PROJECT_DIR}/<folder>     (the hook's shell expands it), and both variables exported
//   MCP servers   <folder>, relative                  (servers start in the project; ${CLAUDE_PROJECT_DIR} is not set there)
// In the user scope (--global: ~/.claude, loaded in every project) neither the project nor a relative path
// names it: every kind gets the folder's absolute path (the user's lock is per machine, like its home).

/** Where a vendored plugin's own files are, and its data folder, relative to the project root. */
export function pluginFolders(key: string): { root: string; data: string } {
  return { root: `.claude/agentpkg/plugins/${key}`, data: `.claude/agentpkg/data/${key}` };
}

export type RewriteContext = "command" | "skill" | "agent" | "hook" | "mcp";

/** Where a plugin is vendored: a project (paths relative to it), or the user's home (`global`: absolute paths). */
export interface VendorScope {
  global: boolean;
  /** the scope's root: the project, or the home folder */
  root: string;
  /** where `.claude/...` folders are, when not <root>/.claude (CLAUDE_CONFIG_DIR) */
  configDir?: string;
}

const PREFIX: Record<RewriteContext, string> = {
  command: "${CLAUDE_PROJECT_DIR}/",
  skill: "${CLAUDE_SKILL_DIR}/../../../",
  agent: "",
  hook: "${CLAUDE_PROJECT_DIR}/",
  mcp: "",
};

/** `${VAR}` and, where a shell reads it (hooks), `$VAR` not followed by a name character. */
const pattern = (name: string, shell: boolean) => new RegExp(shell ? `\\$\\{${name}\\}|\\$${name}(?![A-Za-z0-9_])` : `\\$\\{${name}\\}`, "g");

/** The text that names a folder of the scope (relative to its root) in a file of this kind. */
function placeOf(folder: string, context: RewriteContext, scope: VendorScope): string {
  if (!scope.global) return `${PREFIX[context]}${folder}`;
  if (scope.configDir && folder.startsWith(".claude/")) return `${scope.configDir.replace(/\/+$/, "")}/${folder.slice(".claude/".length)}`;
  return `${scope.root.replace(/\/+$/, "")}/${folder}`;
}

export function rewritePluginVars(text: string, key: string, context: RewriteContext, scope: VendorScope): string {
  const { root, data } = pluginFolders(key);
  const shell = context === "hook";
  // replaced by functions: a `$&` or `$'` in a home folder's name is text, not a replacement pattern
  return text.replace(pattern("CLAUDE_PLUGIN_ROOT", shell), () => placeOf(root, context, scope)).replace(pattern("CLAUDE_PLUGIN_DATA", shell), () => placeOf(data, context, scope));
}

/** A value for a shell's double quotes: `"`, `$`, backquote and backslash escaped (`${...}` of the project scope kept). */
const inDoubleQuotes = (v: string, scope: VendorScope) => (scope.global ? v.replace(/["$`\\]/g, "\\$&") : v);

/** A hook command, rewritten and given both variables, as its scripts may read them from the environment. */
export function vendorHookCommand(command: string, key: string, scope: VendorScope): string {
  const { root, data } = pluginFolders(key);
  const at = (folder: string) => inDoubleQuotes(placeOf(folder, "hook", scope), scope);
  return `export CLAUDE_PLUGIN_ROOT="${at(root)}" CLAUDE_PLUGIN_DATA="${at(data)}"; ${rewritePluginVars(command, key, "hook", scope)}`;
}

/** `${user_config.KEY}`: values a plugin install asks for; a project has nowhere to ask them. */
export function userConfigKeys(text: string): string[] {
  return [...text.matchAll(/\$\{user_config\.([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1]!);
}
