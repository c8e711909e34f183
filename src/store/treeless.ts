// Reading a treeless mirror (store/fetch-by-id.ts TREELESS) without letting git fetch trees on its own:
// git's on-demand fetch of a missing tree brings every tree below it, so a sharded registry's reader makes
// the trees it walks present one by one (each alone), and anything that walks many trees first makes all
// of a commit's trees present in one fetch (ensureTrees).
import { existsSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { git } from "../git/run.js";
import { BLOBLESS, fetchMissing, offlineGitEnv, TREELESS } from "./fetch-by-id.js";

interface MirrorRef {
  dir: string;
  url: string;
  /** a full-history mirror holds every object: nothing to fetch */
  history?: boolean;
}

/**
 * The root tree's id of a commit the mirror holds, from the commit object itself (`<commit>^{tree}` would
 * make git read, so fetch, the tree).
 */
export async function rootTree(dir: string, commit: string, env: NodeJS.ProcessEnv): Promise<string> {
  const out = await git(["cat-file", "commit", commit], { cwd: dir, env: offlineGitEnv(env) });
  const m = /^tree ([0-9a-f]{40}|[0-9a-f]{64})$/m.exec(out);
  if (!m) throw new AgentpkgError("E_REGISTRY_INVALID", `commit ${commit.slice(0, 12)} names no tree`, { hint: "the cached mirror is damaged: delete agentpkg's cache folder and run again" });
  return m[1]!;
}

/** Trees or blobs by id, each without what it contains, in one fetch; none when all are present. */
export async function presentObjects(mirror: MirrorRef, oids: readonly string[], env: NodeJS.ProcessEnv, offline: boolean): Promise<void> {
  if (mirror.history) return;
  await fetchMissing(mirror, oids, TREELESS, { env, offline, what: "parts of the index" });
}

/** The commit's root tree present (not the trees below it): what detecting a repository's kind reads. */
export async function presentRootTree(mirror: MirrorRef, commit: string, env: NodeJS.ProcessEnv, offline: boolean): Promise<void> {
  if (mirror.history) return;
  await presentObjects(mirror, [await rootTree(mirror.dir, commit, env)], env, offline);
}

/** Marks a commit whose trees are all present, so the check (a walk of every tree) runs once per commit. */
const treesMarker = (dir: string, commit: string) => path.join(dir, `registry-${commit}.trees.json`);

/**
 * Every tree of the commit present, in one fetch: those `rev-list --missing=print` lists as missing (the
 * first missing tree on each path; it never fetches) come by id with every tree below them. Before
 * anything that walks many trees (`ls-tree -r`, reading files by path from a registry.json registry).
 * No network when all are present; with --offline a missing tree is E_OFFLINE.
 */
export async function ensureTrees(mirror: MirrorRef, commit: string, env: NodeJS.ProcessEnv, offline: boolean): Promise<void> {
  if (mirror.history || existsSync(treesMarker(mirror.dir, commit))) return;
  const args = ["rev-list", "--objects", "--no-object-names", "--missing=print", "--filter=blob:none", "--no-walk", commit];
  const listed = await git(args, { cwd: mirror.dir, env: offlineGitEnv(env) });
  const missing = listed.split("\n").filter((l) => l.startsWith("?")).map((l) => l.slice(1));
  if (missing.length > 0) await fetchMissing(mirror, missing, BLOBLESS, { env, offline, what: "trees" });
  await writeFileAtomic(treesMarker(mirror.dir, commit), "{}\n", { durable: false }).catch(() => undefined); // a read-only cache only costs speed
}
