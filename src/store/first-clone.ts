import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { acquireLock } from "../util/process-lock.js";
import { git, GitError, explainGitFailure, classifyGitUrl } from "../git/run.js";
import { removeStaleCacheTemps } from "./cache-temps.js";
import { mirrorDir, NETWORK_TIMEOUT_MS, readMeta, TREELESS, withFilterFallback, writeMeta, type Mirror } from "./git-mirrors.js";
import { presentRootTree } from "./treeless.js";

/**
 * A repository no mirror of the cache holds yet, whose kind is not known (registry add, install REPO):
 * one shallow clone of its head tells the kind (`look` reads its head tree). A registry keeps
 * that clone as its shallow mirror; a kind that takes its versions from history (a marketplace, a plain
 * repository) gets the rest of the history and the tags by deepening the same clone, which becomes its
 * `-history` mirror. Nothing is fetched twice. Undefined when another process made a mirror meanwhile:
 * the caller then takes the usual way (ensureMirror), which finds it.
 */
export async function cloneAndDetect(
  url: string,
  o: { cache: string; env: NodeJS.ProcessEnv },
  /** the head commit of the shallow clone, and whether its kind takes versions from history */
  look: (dir: string) => Promise<{ commit: string; history: boolean }>,
): Promise<Mirror | undefined> {
  classifyGitUrl(url);
  const { env } = o;
  const dir = mirrorDir(o.cache, url);
  const historyDir = mirrorDir(o.cache, url, true);
  removeStaleCacheTemps(o.cache);
  const release = await acquireLock(`${dir}.busy`, 120_000);
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    if ((await readMeta(dir)) || (await readMeta(historyDir))) return undefined;
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.mkdir(path.dirname(dir), { recursive: true });
    // the commit only, where the server allows it (a registry keeps this clone: git-mirrors.ts TREELESS),
    // and its root tree alone, which tells the kind (reading it by path would fetch every tree below it)
    await withFilterFallback(TREELESS, (f) => git(["clone", "--bare", "--depth", "1", "--no-tags", "--single-branch", f, "--quiet", "--", url, tmp], { env, timeoutMs: NETWORK_TIMEOUT_MS }));
    const head = await git(["rev-parse", "--verify", "HEAD"], { cwd: tmp, env }).catch(() => undefined); // an empty repository: look says so
    if (head) await presentRootTree({ dir: tmp, url }, head.trim(), env, false);
    let { commit, history } = await look(tmp);
    const releaseHistory = history ? await acquireLock(`${historyDir}.busy`, 120_000) : undefined;
    try {
      if (history) {
        if (await readMeta(historyDir)) return undefined;
        const deepen = existsSync(path.join(tmp, "shallow")) ? ["--unshallow"] : [];
        // the head (which may have moved since the clone) lands in refs/agentpkg/head, as after a first clone;
        // --no-filter: a fetch by url would take the filter the root tree's fetch registered for that url
        await git(["fetch", ...deepen, "--no-tags", "--force", "--no-filter", "--quiet", "--", url, "+HEAD:refs/agentpkg/head", "+refs/tags/*:refs/tags/*"], { cwd: tmp, env, timeoutMs: NETWORK_TIMEOUT_MS });
        await fetchHeadBlobs(tmp, url, commit, env);
        commit = fetchedHead(tmp) ?? (await git(["rev-parse", "refs/agentpkg/head^{commit}"], { cwd: tmp, env })).trim();
      } else {
        await git(["update-ref", "refs/agentpkg/head", commit], { cwd: tmp, env });
      }
      const target = history ? historyDir : dir;
      await fs.rm(target, { recursive: true, force: true });
      await fs.rename(tmp, target);
      const fetchedAt = Date.now();
      await writeMeta(target, { url, commit, fetchedAt });
      return { url, dir: target, history, commit, fetchedAt, fresh: true };
    } finally {
      await releaseHistory?.();
    }
  } catch (err) {
    // as for any clone: an empty or missing repository, an unreachable host, in one line
    throw err instanceof GitError ? explainGitFailure(err, url) : err;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
    await release();
  }
}

/**
 * A history mirror holds every object. Deepening a partial clone brings the older commits' trees and blobs,
 * but not those of the first clone's head (the server counts them as had): the first missing tree or blob
 * on each path comes in one fetch by id, with everything below it.
 * `rev-list --missing=print` lists them without fetching; a server that ignored the filter left none.
 */
async function fetchHeadBlobs(dir: string, url: string, head: string, env: NodeJS.ProcessEnv): Promise<void> {
  const listed = await git(["rev-list", "--objects", "--no-object-names", "--missing=print", "--no-walk", head], { cwd: dir, env });
  const missing = listed.split("\n").filter((l) => l.startsWith("?"));
  if (missing.length === 0) return;
  const input = missing.map((l) => l.slice(1)).join("\n") + "\n";
  const args = ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--no-filter", "--stdin", "--quiet", "--", url];
  await git(args, { cwd: dir, env, input, timeoutMs: NETWORK_TIMEOUT_MS });
}

/** The commit a fetch's first refspec brought, from FETCH_HEAD (a plain file with every ref backend). */
function fetchedHead(dir: string): string | undefined {
  try {
    const first = readFileSync(path.join(dir, "FETCH_HEAD"), "utf8").split("\n")[0] ?? "";
    // `<sha>\t\t<url>` for HEAD; a tag's line (`tag 'v1' of <url>`) may name a tag object, not a commit
    return /^([0-9a-f]{40}|[0-9a-f]{64})\t\t(?!tag ')/.exec(first)?.[1];
  } catch {
    return undefined;
  }
}
