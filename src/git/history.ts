// Reading a full-history mirror in bulk: one git process per question, never one per file or commit.
import { AgentpkgError } from "../util/errors.js";
import { git, GitError, noGit, runGit, spawnGit } from "./run.js";

export interface TreeFile {
  mode: string;
  oid: string;
  size: number;
}

/** The blob records of `git ls-tree -r -z` output (with or without -l), optionally only those at `only` paths. */
function* blobRecords(out: string, only?: ReadonlySet<string>): Generator<{ path: string; mode: string; oid: string; size?: string }> {
  for (const rec of out.split("\0")) {
    const tab = rec.indexOf("\t");
    const file = rec.slice(tab + 1);
    // the path is checked before the regular expression: a 10,000-file tree is mostly paths nobody asked for
    if (tab < 0 || (only && !only.has(file))) continue;
    const m = /^(\d+) (\w+) ([0-9a-f]+)(?:\s+(-|\d+))?$/.exec(rec.slice(0, tab));
    if (m && m[2] === "blob") yield { path: file, mode: m[1]!, oid: m[3]!, size: m[4] };
  }
}

/** Every blob of a commit's tree (path -> mode, oid, size); submodules and trees are left out. */
export async function listTree(dir: string, commit: string, env: NodeJS.ProcessEnv): Promise<Map<string, TreeFile>> {
  const out = (await runGit(["ls-tree", "-r", "-l", "-z", "--full-tree", commit], { cwd: dir, env })).toString("utf8");
  const files = new Map<string, TreeFile>();
  for (const r of blobRecords(out)) files.set(r.path, { mode: r.mode, oid: r.oid, size: r.size === undefined || r.size === "-" ? 0 : Number(r.size) });
  return files;
}

/**
 * Mode and object id of the blobs at `paths` in a commit's tree. Without sizes: reading every object's
 * header for them would double the cost of listing a large tree.
 */
export async function listBlobs(dir: string, commit: string, paths: ReadonlySet<string>, env: NodeJS.ProcessEnv): Promise<Map<string, Omit<TreeFile, "size">>> {
  const out = (await runGit(["ls-tree", "-r", "-z", "--full-tree", commit], { cwd: dir, env })).toString("utf8");
  const blobs = new Map<string, Omit<TreeFile, "size">>();
  for (const r of blobRecords(out, paths)) blobs.set(r.path, { mode: r.mode, oid: r.oid });
  return blobs;
}

/**
 * Regular files' blob ids at `paths` in a commit's tree, under `folders` (those holding them), read as git
 * lists them: a 100,000-file listing is never whole in memory (listBlobs holds it twice, ~20 MB).
 */
export async function regularBlobsAt(dir: string, commit: string, paths: ReadonlySet<string>, folders: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const args = ["ls-tree", "-r", "-z", "--full-tree", commit, "--", ...folders.map((f) => `:(literal)${f}`)];
  const child = spawnGit(args, { cwd: dir, env });
  child.stdin.end();
  const out = new Map<string, string>();
  const err: Buffer[] = [];
  child.stderr.on("data", (d: Buffer) => err.push(d));
  let rest = "";
  child.stdout.on("data", (d: Buffer) => {
    const records = (rest + d.toString("utf8")).split("\0");
    rest = records.pop()!;
    // each kept string copied: a slice would keep the whole chunk it came from in memory
    const copy = (t: string) => Buffer.from(t, "utf8").toString("utf8");
    for (const r of blobRecords(records.join("\0"), paths)) if (isRegularFile(r.mode)) out.set(copy(r.path), copy(r.oid));
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", (e) => reject(noGit(e) ?? new GitError(args, e.message, false, undefined)));
    child.on("close", resolve);
  });
  if (code !== 0) throw new GitError(args, Buffer.concat(err).toString("utf8").trim(), false, code ?? undefined);
  return out;
}

export interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
}

/** Paths per ls-tree call: keeps the argument list far below any OS limit. */
const PATHS_PER_CALL = 500;

/**
 * The entries at exact `paths` (blobs, trees, submodules) of a commit's or a tree's listing, through
 * `ls-tree -z`, 500 paths a call. Never reads a blob (no sizes): on a partial mirror git fetches nothing
 * for it, unless a tree on the way is missing.
 */
export async function lsTreePaths(dir: string, treeish: string, paths: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  for (let i = 0; i < paths.length; i += PATHS_PER_CALL) {
    const args = ["--literal-pathspecs", "ls-tree", "-z", "--full-tree", treeish, "--", ...paths.slice(i, i + PATHS_PER_CALL)];
    for (const rec of (await runGit(args, { cwd: dir, env })).toString("utf8").split("\0")) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(rec);
      if (m) out.set(m[4]!, { mode: m[1]!, type: m[2]!, oid: m[3]! });
    }
  }
  return out;
}

export function isRegularFile(mode: string): boolean {
  return mode === "100644" || mode === "100755";
}

export interface Change {
  path: string;
  /** null: deleted */
  oid: string | null;
  mode: string;
}

export interface LoggedCommit {
  commit: string;
  /** committer time, unix seconds */
  time: number;
  changes: Change[];
}

/**
 * The first-parent history of `head`, oldest first, limited to `pathspecs` (all files when empty), with
 * each commit's changes against its first parent. Replaying the changes in order rebuilds the tree
 * (restricted to the pathspecs) at every commit, without one git call per commit.
 */
export async function firstParentLog(dir: string, head: string, pathspecs: readonly string[], env: NodeJS.ProcessEnv): Promise<LoggedCommit[]> {
  const args = ["log", "--first-parent", "--diff-merges=first-parent", "--reverse", "--raw", "--no-renames", "--no-abbrev", "-z", "--format=%x01%H %ct", head];
  if (pathspecs.length) args.push("--", ...pathspecs);
  const out = (await runGit(args, { cwd: dir, env })).toString("utf8");
  const commits: LoggedCommit[] = [];
  const tokens = out.split("\0");
  let current: LoggedCommit | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!.replace(/^\n/, "");
    if (tok.startsWith("\x01")) {
      const [commit, time] = tok.slice(1).split(" ");
      current = { commit: commit!, time: Number(time), changes: [] };
      commits.push(current);
      continue;
    }
    const m = /^:(\d+) (\d+) [0-9a-f]+ ([0-9a-f]+) (\w)/.exec(tok);
    if (!m || !current) continue;
    const file = tokens[++i];
    if (file === undefined) break;
    const deleted = m[4] === "D" || /^0+$/.test(m[3]!);
    current.changes.push({ path: file, oid: deleted ? null : m[3]!, mode: m[2]! });
  }
  return commits;
}

export interface GitTag {
  name: string;
  commit: string;
}

/** Tags of the mirror with the commit each points at (annotated tags peeled). */
export async function listTags(dir: string, env: NodeJS.ProcessEnv): Promise<GitTag[]> {
  const out = await git(["for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(objecttype)%00%(*objecttype)", "refs/tags"], { cwd: dir, env });
  const tags: GitTag[] = [];
  for (const line of out.split("\n")) {
    const [name, oid, peeled, type, peeledType] = line.split("\0");
    if (!name || !oid) continue;
    const commit = type === "commit" ? oid : peeledType === "commit" ? peeled : undefined;
    if (commit) tags.push({ name, commit });
  }
  return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One agent file at one commit, as the lock names it: a regular file within the size limit, else an error. */
export async function readFileAt(
  dir: string,
  commit: string,
  v: { path: string; version: string },
  env: NodeJS.ProcessEnv,
  registry: string,
  maxBytes: number,
): Promise<Buffer> {
  const out = await git(["ls-tree", "-l", "--full-tree", commit, "--", v.path], { cwd: dir, env });
  const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t/.exec(out);
  if (!m) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${registry}: ${v.path} (${v.version}) does not exist at commit ${commit.slice(0, 12)}`, {
      hint: "the repository's history was rewritten; run agentpkg upgrade to pick a version that exists",
    });
  }
  if (m[2] !== "blob" || !isRegularFile(m[1]!)) {
    throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is not a regular file (mode ${m[1]}); symlinks and submodules are never followed`);
  }
  const size = m[4] === "-" ? 0 : Number(m[4]);
  if (size > maxBytes) throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is ${size} bytes, over the ${maxBytes}-byte limit for agent files`);
  return runGit(["cat-file", "blob", m[3]!], { cwd: dir, env });
}
