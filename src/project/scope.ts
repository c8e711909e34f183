import fs, { statSync, type Stats } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { currentUser } from "../util/deps.js";

/**
 * Where one scope keeps its agents, manifest and lockfile (project: <root>/.claude, global: ~/.claude, or
 * $CLAUDE_CONFIG_DIR when set). Files are named relative to the root as the lock names them
 * (`.claude/agents/x.md`, `.claude.json`); scopeFile() and scopeRelative() map those names to paths.
 */
export interface Scope {
  global: boolean;
  /** the directory that holds .claude (project root, or home for --global; $CLAUDE_CONFIG_DIR itself when set) */
  root: string;
  /** where `.claude/...` names are: <root>/.claude, or $CLAUDE_CONFIG_DIR (which then also holds `.claude.json`) */
  claudeDir: string;
  /** set when CLAUDE_CONFIG_DIR replaces ~/.claude (user scope only) */
  configDir?: string;
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
 * The user scope Claude Code reads: $CLAUDE_CONFIG_DIR when set (its own variable for its config folder:
 * user agents, commands, skills and settings.json load from there, and user MCP servers from its
 * `.claude.json`; observed on 2.1.197), else ~/.claude (servers in ~/.claude.json).
 */
export function userScope(deps: { cwd: string; home: string; env: NodeJS.ProcessEnv }): Scope {
  const dir = deps.env.CLAUDE_CONFIG_DIR;
  if (!dir) return scopeAt(deps.home, true);
  const configDir = path.resolve(deps.cwd, dir);
  return { ...scopeAt(configDir, true), claudeDir: configDir, configDir, ...insideConfig(configDir) };
}

function insideConfig(dir: string): Pick<Scope, "agentsDir" | "manifestPath" | "lockPath" | "lockDir"> {
  return {
    agentsDir: path.join(dir, "agents"),
    manifestPath: path.join(dir, "agentpkg.json"),
    lockPath: path.join(dir, "agentpkg.lock"),
    lockDir: path.join(dir, ".agentpkg-busy"),
  };
}

/** The scope of a command run: the user scope with --global, else the project's (see resolveScope). */
export function scopeFor(deps: { cwd: string; home: string; env: NodeJS.ProcessEnv }, global: boolean): Scope {
  return global ? userScope(deps) : resolveScope({ cwd: deps.cwd, home: deps.home, global: false });
}

/**
 * Project scope: the nearest directory at or above cwd with a .claude/agentpkg.json or
 * .claude/agentpkg.lock (like npm finding package.json), else cwd itself. One found in a *parent*
 * folder must be the user's own (see `assertOwnedBy`); the cwd is the user's explicit choice (cd, -C).
 */
export function resolveScope(o: { cwd: string; home: string; global: boolean; user?: FileOwner | undefined }): Scope {
  if (o.global) return scopeAt(o.home, true); // callers with an environment use scopeFor (CLAUDE_CONFIG_DIR)
  const cwd = path.resolve(o.cwd);
  const user = "user" in o ? o.user : currentUser();
  let dir = cwd;
  for (;;) {
    if (dir !== o.home && hasProjectFiles(dir)) {
      if (dir !== cwd && user) assertOwnedBy(dir, user);
      return scopeAt(dir, false);
    }
    const parent = path.dirname(dir);
    if (parent === dir || dir === o.home) break;
    dir = parent;
  }
  return scopeAt(cwd, false);
}

function hasProjectFiles(dir: string): boolean {
  return fs.existsSync(path.join(dir, ".claude", "agentpkg.json")) || fs.existsSync(path.join(dir, ".claude", "agentpkg.lock"));
}

/** Who runs agentpkg, for the ownership check (util/deps.ts currentUser; undefined where there are no uids). */
export interface FileOwner {
  uid: number;
  /** set when root runs through sudo: the invoking user's uid */
  sudoUid?: number;
}

/** Yours, root's (who can change your files anyway), or, running as root under sudo, the invoking user's. */
export function isTrustedOwner(uid: number, user: FileOwner): boolean {
  return uid === user.uid || uid === 0 || (user.uid === 0 && uid === user.sudoUid);
}

/**
 * git's "dubious ownership" rule, for a project found in a parent folder: its .claude folder, manifest and
 * lockfile decide which registries and agents agentpkg installs, so another user who owns them (a
 * /tmp/.claude planted above your working folder on a shared machine) would choose for you. Refused,
 * naming the file and its owner; running agentpkg in that folder (cd or -C) says you trust it.
 */
function assertOwnedBy(dir: string, user: FileOwner): void {
  const claude = path.join(dir, ".claude");
  for (const file of [claude, path.join(claude, "agentpkg.json"), path.join(claude, "agentpkg.lock")]) {
    const uid = fs.statSync(file, { throwIfNoEntry: false })?.uid;
    if (uid === undefined || isTrustedOwner(uid, user)) continue;
    throw new AgentpkgError("E_UNSAFE", `${file} in a parent folder is owned by another user (uid ${uid}; you are uid ${user.uid}): agentpkg does not use a project someone else controls`, {
      hint: `if you trust it, run agentpkg in ${dir} (cd there, or agentpkg -C ${dir} ...); for a project of your own here, run agentpkg init`,
    });
  }
}

/** Display a path relative to the scope root (or ~ for global; the real folder under CLAUDE_CONFIG_DIR). */
export function displayPath(scope: Scope, file: string, home?: string): string {
  if (scope.configDir) return tildePath(file, home);
  const rel = path.relative(scope.root, file);
  return scope.global ? `~/${rel}` : rel;
}

/** An absolute path with the home folder shown as `~`. */
export function tildePath(abs: string, home?: string): string {
  if (home && (abs === home || abs.startsWith(home.endsWith(path.sep) ? home : home + path.sep))) return `~${abs.slice(home.replace(/\/+$/, "").length)}`;
  return abs;
}

/**
 * A path of the scope as the lock names it ("/"-separated, relative to the root): the inverse of scopeFile.
 * Under CLAUDE_CONFIG_DIR a file in that folder is `.claude/<rel>` (its `.claude.json` is `.claude.json`).
 */
export function scopeRelative(scope: Scope, abs: string): string {
  if (scope.configDir) {
    const rel = path.relative(scope.configDir, abs).split(path.sep).join("/");
    if (rel === ".claude.json") return rel;
    if (rel === "") return ".claude";
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return `.claude/${rel}`;
  }
  return path.relative(scope.root, abs).split(path.sep).join("/");
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
/** The stat of a regular file of the scope; undefined when it is absent, not a file, or cannot be reached. */
export function statScopeFile(scope: Scope, rel: string): Stats | undefined {
  try {
    const st = statSync(scopeFile(scope, rel), { throwIfNoEntry: false });
    return st?.isFile() ? st : undefined;
  } catch {
    return undefined; // ENOTDIR, ELOOP, EACCES: a full run says what is wrong
  }
}

export function scopeFile(scope: Scope, rel: string): string {
  if (scope.configDir && (rel === ".claude" || rel.startsWith(".claude/"))) return path.join(scope.configDir, ...rel.split("/").slice(1));
  if (!isNormalRelative(rel)) return path.join(scope.root, ...rel.split("/"));
  const native = path.sep === "/" ? rel : rel.split("/").join(path.sep);
  return scope.root.endsWith(path.sep) ? scope.root + native : scope.root + path.sep + native;
}
