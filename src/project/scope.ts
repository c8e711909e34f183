import fs from "node:fs";
import path from "node:path";

/** Where one scope keeps its agents, manifest and lockfile (project: <root>/.claude, global: ~/.claude). */
export interface Scope {
  global: boolean;
  /** the directory that holds .claude (project root, or home for --global) */
  root: string;
  claudeDir: string;
  agentsDir: string;
  manifestPath: string;
  lockPath: string;
  /** mkdir-based process lock */
  lockDir: string;
}

export function scopeAt(root: string, global: boolean): Scope {
  const claudeDir = path.join(root, ".claude");
  return {
    global,
    root,
    claudeDir,
    agentsDir: path.join(claudeDir, "agents"),
    manifestPath: path.join(claudeDir, "agentpkg.json"),
    lockPath: path.join(claudeDir, "agentpkg.lock"),
    lockDir: path.join(claudeDir, ".agentpkg-busy"),
  };
}

/**
 * Project scope: the nearest directory at or above cwd with a .claude/agentpkg.json or
 * .claude/agentpkg.lock (like npm finding package.json), else cwd itself.
 */
export function resolveScope(o: { cwd: string; home: string; global: boolean }): Scope {
  if (o.global) return scopeAt(o.home, true);
  let dir = path.resolve(o.cwd);
  for (;;) {
    if (dir !== o.home && hasProjectFiles(dir)) return scopeAt(dir, false);
    const parent = path.dirname(dir);
    if (parent === dir || dir === o.home) break;
    dir = parent;
  }
  return scopeAt(path.resolve(o.cwd), false);
}

function hasProjectFiles(dir: string): boolean {
  return fs.existsSync(path.join(dir, ".claude", "agentpkg.json")) || fs.existsSync(path.join(dir, ".claude", "agentpkg.lock"));
}

/** Display a path relative to the scope root (or ~ for global). */
export function displayPath(scope: Scope, file: string): string {
  const rel = path.relative(scope.root, file);
  return scope.global ? `~/${rel}` : rel;
}

const UNNORMAL_SEGMENT = /(^|\/)\.{0,2}(\/|$)/;

/**
 * A "/"-separated relative path that is already normal: not absolute, no backslash or NUL, and no empty,
 * "." or ".." segment (nothing path.posix.normalize would rewrite, nothing that climbs out).
 */
export function isNormalRelative(rel: string): boolean {
  return !rel.startsWith("/") && !rel.includes("\\") && !rel.includes("\0") && !UNNORMAL_SEGMENT.test(rel);
}

/**
 * The absolute path of a "/"-separated path relative to the scope root (a lockfile's `.claude/agents/x.md`).
 * Such a path is normally already normal, and then joining is a concatenation: path.join costs
 * microseconds a call before it is optimised, which is milliseconds over 500 agents (DESIGN.md §7).
 */
export function scopeFile(scope: Scope, rel: string): string {
  if (!isNormalRelative(rel)) return path.join(scope.root, ...rel.split("/"));
  const native = path.sep === "/" ? rel : rel.split("/").join(path.sep);
  return scope.root.endsWith(path.sep) ? scope.root + native : scope.root + path.sep + native;
}
