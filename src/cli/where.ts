// "Where things went": after a change, the files it wrote and deleted, as the user can find them. A project
// found in a parent folder, or the user scope (--global, ~/.claude or $CLAUDE_CONFIG_DIR), is named too, since
// the paths are not under the folder the user is in.
import path from "node:path";
import { writesFile, type Step } from "../plan/plan.js";
import { scopeFile, tildePath, type Scope } from "../project/scope.js";

/** Where a change ran: its scope, and the folder the user started agentpkg in. */
export interface ChangePlace {
  scope: Scope;
  cwd: string;
  home: string;
}

/** A file of the scope as the user can find it: `.claude/agents/x.md`, `~/.claude/agents/x.md`, `/cfg/agents/x.md`. */
function shownFile(place: ChangePlace, file: string): string {
  const { scope } = place;
  if (!scope.global) return file;
  return tildePath(scopeFile(scope, file), place.home);
}

/** Up to this many files are named one by one; more are counted per folder. */
const MAX_NAMED = 3;
/** Up to this many folders are counted one by one; more are counted under their common folder. */
const MAX_GROUPS = 8;

/**
 * The folder a file is counted in: its part's folder (`.claude/agents/kit/`, `.claude/skills/alpha/`,
 * `.claude/agentpkg/plugins/kit/`); a file at the top (`.mcp.json`, `.claude/settings.json`) is named itself.
 */
function groupOf(file: string): string {
  const s = file.split("/");
  if (s.length <= 2) return file;
  const depth = s[1] === "agentpkg" ? 4 : 3;
  return `${s.slice(0, Math.min(s.length - 1, depth)).join("/")}/`;
}

/**
 * Logical paths as the user reads them: `a, b` (few), else `12 files: 10 in .claude/agents/, .mcp.json, ...`
 * (or `500 files under .claude/` past MAX_GROUPS folders). `show` turns a path (or a folder's) into what to print.
 */
export function describeFiles(files: readonly string[], show: (file: string) => string = (f) => f): string {
  if (files.length <= MAX_NAMED) return files.map(show).join(", ");
  const counts = new Map<string, number>();
  for (const f of files) counts.set(groupOf(f), (counts.get(groupOf(f)) ?? 0) + 1);
  // folders first, then the files named at the top (settings.json, .mcp.json)
  const groups = new Map([...counts].sort(([a], [b]) => Number(!a.endsWith("/")) - Number(!b.endsWith("/"))));
  const shownGroup = (g: string) => (g.endsWith("/") ? `${show(g.slice(0, -1))}/` : show(g));
  if (groups.size === 1 && [...groups.keys()][0]!.endsWith("/")) return `${files.length} files in ${shownGroup([...groups.keys()][0]!)}`;
  if (groups.size <= MAX_GROUPS) return `${files.length} files: ${[...groups].map(([g, n]) => (g.endsWith("/") ? `${n} in ${shownGroup(g)}` : shownGroup(g))).join(", ")}`;
  return `${files.length} files under ${shownGroup(commonFolder(files))}`;
}

/** The deepest folder every file is in, with a trailing slash (`./` for none). */
function commonFolder(files: readonly string[]): string {
  let common = path.posix.dirname(files[0]!).split("/");
  for (const f of files.slice(1)) {
    const parts = path.posix.dirname(f).split("/");
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.length && common[0] !== "." ? `${common.join("/")}/` : "./";
}

/** The file a step writes or deletes: a shared file's entry (`.mcp.json#mcpServers/x`) writes its host file. */
const hostOf = (file: string) => file.split("#")[0]!;

/** Lines saying which files a change wrote and deleted (a dry run: would), and in which project or scope. */
export function whereLines(steps: readonly Step[], place: ChangePlace, dryRun: boolean): string[] {
  const wrote = new Set<string>();
  const deleted = new Set<string>();
  for (const s of steps) {
    if (!writesFile(s)) continue;
    const file = hostOf(s.file);
    // an entry removed from a shared file rewrites the file, never deletes it
    if (s.op === "remove" && file === s.file) deleted.add(file);
    else wrote.add(file);
  }
  for (const f of wrote) deleted.delete(f);
  if (wrote.size + deleted.size === 0) return [];
  const show = (files: Set<string>) => describeFiles([...files].sort(), (f) => shownFile(place, f));
  const verb = (done: string, would: string) => (dryRun ? would : done);
  const lines: string[] = [];
  if (wrote.size) lines.push(`${verb("wrote", "would write")} ${show(wrote)}`);
  if (deleted.size) lines.push(`${verb("deleted", "would delete")} ${show(deleted)}`);
  const at = placeNote(place);
  return at ? [...lines.map((l, i) => (i === lines.length - 1 ? `${l} ${at}` : l))] : lines;
}

/** `in /home/u/proj (the project found above this folder)`, `(user scope: $CLAUDE_CONFIG_DIR)`, or nothing. */
function placeNote(place: ChangePlace): string | undefined {
  const { scope } = place;
  if (scope.configDir) return `(user scope: CLAUDE_CONFIG_DIR=${tildePath(scope.configDir, place.home)})`;
  if (scope.global) return "(user scope)";
  if (path.resolve(scope.root) !== path.resolve(place.cwd)) return `in ${tildePath(scope.root, place.home)} (the project found above this folder)`;
  return undefined;
}
