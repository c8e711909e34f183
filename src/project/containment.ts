import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { isNormalRelative, type Scope } from "./scope.js";
import { sharedHosts } from "./shared-hosts.js";

/** The real path of `p`, or of its deepest existing ancestor with the rest appended (what mkdir -p would create). */
async function realish(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch (err) {
    const parent = path.dirname(p);
    if (parent === p || (err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return path.join(await realish(parent), path.basename(p));
  }
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Before writing: .claude and .claude/agents must be folders (or not exist yet), and agentpkg writes only
 * inside the project's .claude/: one that is a symlink leading out of the project (e.g. committed by
 * someone else) is refused. The global scope (~/.claude, often a dotfiles symlink) is the user's own.
 */
export async function assertScopeFolders(scope: Scope): Promise<void> {
  for (const dir of [scope.claudeDir, scope.agentsDir]) {
    const st = await fs.stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) {
      const shown = scope.configDir ? dir : scope.global ? `~/${path.relative(scope.root, dir)}` : path.relative(scope.root, dir);
      throw new AgentpkgError("E_IO", `${shown} is a file, not a folder; nothing was changed`, { hint: `move ${shown} away, then re-run` });
    }
  }
  if (scope.global) return;
  const root = await realish(scope.root);
  for (const dir of [scope.claudeDir, scope.agentsDir]) {
    const real = await realish(dir);
    if (!inside(root, real)) {
      const shown = path.relative(scope.root, dir);
      throw new AgentpkgError("E_UNSAFE", `${shown} leads outside the project (to ${real}); agentpkg writes only inside the project's .claude/`, {
        hint: `make ${shown} a real folder (not a symlink out of the project)`,
      });
    }
  }
}

/** The places agentpkg may write in a scope: Claude Code's folders for parts, its own folder, the shared settings files. */
const TARGET_DIRS = [".claude/agents/", ".claude/commands/", ".claude/skills/", ".claude/output-styles/", ".claude/agentpkg/"];

/**
 * Whether a path (relative to the scope root, "/"-separated, normal) is one agentpkg may write; `global`: the
 * user scope, whose MCP servers live in ~/.claude.json instead of a .mcp.json.
 */
export function isProjectTarget(rel: string, global = false): boolean {
  return sharedHosts(global).includes(rel) || (isNormalRelative(rel) && TARGET_DIRS.some((d) => rel.startsWith(d) && rel.length > d.length));
}

/**
 * Whether a file agentpkg is about to write or delete really sits where its path says: inside .claude (or,
 * for .mcp.json and ~/.claude.json, the scope root), with no symlinked subfolder leading out.
 */
export async function isInScope(scope: Scope, file: string): Promise<boolean> {
  const [dir, real] = await Promise.all([realish(path.dirname(file) === scope.root ? scope.root : scope.claudeDir), realish(path.dirname(file))]);
  return inside(dir, real);
}
