import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { readSmallJson } from "../util/safe-read.js";
import { sha256 } from "../util/hash.js";
import { acquireLock } from "../util/process-lock.js";
import { redactCredentials } from "../util/redact.js";
import { git, GitError, explainGitFailure, classifyGitUrl } from "../git/run.js";
import { removeStaleCacheTemps } from "./cache-temps.js";
import { BLOBLESS, fetchMissing, NETWORK_TIMEOUT_MS, TREELESS, withFilterFallback } from "./fetch-by-id.js";

export { BLOBLESS, NETWORK_TIMEOUT_MS, offlineGitEnv, TREELESS, withFilterFallback } from "./fetch-by-id.js";

export type RefreshPolicy = "always" | "if-stale" | "never";

export interface Mirror {
  url: string;
  /** bare repository: shallow (depth 1), or with full history and tags when `history` */
  dir: string;
  history: boolean;
  commit: string;
  fetchedAt: number;
  /** this process fetched it (a retry after a miss would not help) */
  fresh: boolean;
}

interface MirrorMeta {
  url: string;
  commit: string;
  fetchedAt: number;
}

/**
 * Shallow mirrors take commits only, where the server allows it (git's partial clone, TREELESS): a cold
 * install of one agent from a sharded 100,000-agent registry then downloads the few trees and blobs that
 * lead to its shard and its file (store/treeless.ts), not every agent's tree. A server without filter
 * support (file:// without uploadpack.allowFilter) ignores it and sends everything, as before. Missing
 * objects are fetched when read: prefetchBlobs and ensureTrees for many at once.
 */
export function mirrorDir(cache: string, url: string, history = false): string {
  // classifyGitUrl refuses urls with credentials before this; were one to pass, no secret names a folder
  const key = redactCredentials(url);
  const base = key.replace(/\/+$/, "").split(/[/:]/).pop()?.replace(/\.git$/, "").replace(/[^A-Za-z0-9._-]/g, "") || "registry";
  return path.join(cache, "git", `${base.slice(0, 40)}-${sha256(key).slice(0, 16)}${history ? "-history" : ""}`);
}

export async function readMeta(dir: string): Promise<MirrorMeta | undefined> {
  return readSmallJson(path.join(dir, "meta.json")) as MirrorMeta | undefined;
}

/** A cache file, read with checks: a crash that loses it only means fetching again (no fsync). */
export async function writeMeta(dir: string, meta: MirrorMeta): Promise<void> {
  await writeFileAtomic(path.join(dir, "meta.json"), JSON.stringify(meta), { durable: false });
}

/**
 * A local shallow mirror of a registry's default branch. Fetched when missing, when stale (policy
 * "if-stale"), or always; never with --offline. The cache is shared by all projects, so updates take
 * a per-mirror lock. `history`: a separate mirror with the whole history and the tags (marketplaces
 * and plain repositories take their versions from history).
 */
export async function ensureMirror(
  url: string,
  o: { cache: string; env: NodeJS.ProcessEnv; policy: RefreshPolicy; ttlMs: number; history?: boolean; progress?: (text: string) => void },
): Promise<Mirror> {
  classifyGitUrl(url);
  const history = o.history === true;
  const dir = mirrorDir(o.cache, url, history);
  const meta = await readMeta(dir);
  const usable = meta !== undefined && meta.url === url;
  if (usable && (o.policy === "never" || (o.policy === "if-stale" && Date.now() - meta.fetchedAt < o.ttlMs))) {
    return { url, dir, history, commit: meta.commit, fetchedAt: meta.fetchedAt, fresh: false };
  }
  if (o.policy === "never") {
    throw new AgentpkgError("E_OFFLINE", `registry ${redactCredentials(url)} is not in the cache (--offline)`, {
      hint: "run the same command once without --offline to fill the cache",
    });
  }
  removeStaleCacheTemps(o.cache); // a clone a Ctrl-C interrupted: only on this (network) path, never on a warm run
  const release = await acquireLock(`${dir}.busy`, 120_000);
  try {
    // another process may have cloned or fetched it while we waited: never clone over a mirror others read
    const now = await readMeta(dir);
    if (now?.url === url && o.policy === "if-stale" && Date.now() - now.fetchedAt < o.ttlMs) {
      return { url, dir, history, commit: now.commit, fetchedAt: now.fetchedAt, fresh: false };
    }
    const commit = now?.url === url ? await fetchInto(dir, url, o.env, history, o.progress) : await cloneInto(dir, url, o.env, history, o.progress);
    const fetchedAt = Date.now();
    await writeMeta(dir, { url, commit, fetchedAt });
    return { url, dir, history, commit, fetchedAt, fresh: true };
  } finally {
    await release();
  }
}

/** git's flag for its progress lines: --progress when someone shows them, else --quiet. */
const progressFlag = (progress: ((text: string) => void) | undefined) => (progress ? "--progress" : "--quiet");

async function cloneInto(dir: string, url: string, env: NodeJS.ProcessEnv, history: boolean, progress?: (text: string) => void): Promise<string> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dir), { recursive: true });
  try {
    const shape = (filter: string) => (history ? ["--single-branch"] : ["--depth", "1", "--no-tags", "--single-branch", filter]);
    progress?.("cloning");
    await withFilterFallback(TREELESS, (f) => git(["clone", "--bare", ...shape(f), progressFlag(progress), "--", url, tmp], { env, timeoutMs: NETWORK_TIMEOUT_MS, onProgress: progress }));
    const commit = (await git(["rev-parse", "HEAD"], { cwd: tmp, env })).trim();
    await git(["update-ref", "refs/agentpkg/head", commit], { cwd: tmp, env });
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
    return commit;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (err instanceof GitError) throw explainGitFailure(err, url);
    throw err;
  }
}

async function fetchInto(dir: string, url: string, env: NodeJS.ProcessEnv, history: boolean, progress?: (text: string) => void): Promise<string> {
  try {
    const args = (filter: string) =>
      history
        ? ["fetch", "--no-tags", "--force", "--no-filter", progressFlag(progress), "--", url, "HEAD", "+refs/tags/*:refs/tags/*"]
        : ["fetch", "--depth", "1", "--no-tags", filter, progressFlag(progress), "--", url, "HEAD"];
    progress?.("fetching");
    await withFilterFallback(TREELESS, (f) => git(args(f), { cwd: dir, env, timeoutMs: NETWORK_TIMEOUT_MS, onProgress: progress }));
    const commit = (await git(["rev-parse", "FETCH_HEAD"], { cwd: dir, env })).trim();
    await git(["update-ref", "refs/agentpkg/head", commit], { cwd: dir, env });
    return commit;
  } catch (err) {
    if (err instanceof GitError) throw explainGitFailure(err, url);
    throw err;
  }
}

/**
 * What git says when a server will not give a commit it no longer has (a force-push rewrote the history
 * and the old commit is unreachable, or gone): "not our ref" (upload-pack), "unadvertised object" (http).
 */
export const NO_SUCH_COMMIT = /not our ref|unadvertised object|no such remote ref|couldn't find remote ref|not a valid object|bad object/i;

/**
 * The registry answers, but not with this commit: a fetch that fails with one of git's "no such commit"
 * messages, or one after which the registry's head can still be listed (so the network and access are fine).
 */
async function registryLacksCommit(mirror: Mirror, err: GitError, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (err.timedOut) return false;
  if (NO_SUCH_COMMIT.test(err.stderr)) return true;
  return git(["ls-remote", "--", mirror.url, "HEAD"], { cwd: mirror.dir, env, timeoutMs: NETWORK_TIMEOUT_MS }).then(
    (out) => out.trim() !== "",
    () => false,
  );
}

/** The error when a registry no longer has a commit a lockfile names (sources add which agent needed it). */
export function commitGone(url: string, commit: string, cause?: unknown): AgentpkgError {
  return new AgentpkgError("E_COMMIT_GONE", `registry ${redactCredentials(url)}'s history was rewritten: the locked commit ${commit.slice(0, 12)} is gone`, {
    cause,
    hint: "run agentpkg upgrade to lock what the registry has now (an edited file can be kept or overwritten, not merged)",
  });
}

export function isCommitGone(err: unknown): err is AgentpkgError {
  return err instanceof AgentpkgError && err.code === "E_COMMIT_GONE";
}

/**
 * Make sure one older commit (a lockfile's) is present in the mirror. A registry whose history was
 * rewritten (force-push) may no longer have it: that is E_COMMIT_GONE (exit 5), not "unreachable".
 */
export async function fetchCommit(mirror: Mirror, commit: string, env: NodeJS.ProcessEnv, offline: boolean): Promise<void> {
  const have = await git(["cat-file", "-t", commit], { cwd: mirror.dir, env }).then(
    () => true,
    () => false,
  );
  if (have) return;
  if (offline) {
    throw new AgentpkgError("E_OFFLINE", `commit ${commit.slice(0, 12)} of ${redactCredentials(mirror.url)} is not in the cache (--offline)`, {
      hint: "run once without --offline to fetch it",
    });
  }
  try {
    // an older commit comes with all its trees: it is read by path (history mirrors: never filtered, as a
    // fetch by url would otherwise take the filter an earlier one registered for that url)
    const depth = (filter: string) => (mirror.history ? ["--no-filter"] : ["--depth", "1", filter]);
    await withFilterFallback(BLOBLESS, (f) => git(["fetch", ...depth(f), "--no-tags", "--quiet", "--", mirror.url, commit], { cwd: mirror.dir, env, timeoutMs: NETWORK_TIMEOUT_MS }));
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    if (await registryLacksCommit(mirror, err, env)) throw commitGone(mirror.url, commit, err);
    throw explainGitFailure(err, mirror.url);
  }
}

/**
 * Blobs of a shallow mirror brought in with one fetch before a batched read: in a partial mirror, git
 * would otherwise fetch each missing blob alone as it is read. No network when all are present. With
 * --offline, a missing one is E_OFFLINE.
 */
export async function prefetchBlobs(mirror: Mirror, oids: readonly string[], env: NodeJS.ProcessEnv, offline: boolean): Promise<void> {
  if (mirror.history || oids.length === 0) return;
  await fetchMissing(mirror, oids, BLOBLESS, { env, offline, what: "files" });
}
