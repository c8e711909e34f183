// The cache's bare mirrors of the repositories plugins live in (a marketplace entry's github, url or
// git-subdir source): one commit each, fetched as shallow as the server allows.
import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { acquireLock } from "../util/process-lock.js";
import { redactCredentials } from "../util/redact.js";
import { git, GitError, explainGitFailure, classifyGitUrl } from "../git/run.js";
import { removeStaleCacheTemps } from "./cache-temps.js";
import { mirrorDir, NETWORK_TIMEOUT_MS, NO_SUCH_COMMIT } from "./git-mirrors.js";

/** A commit of a plugin's own repository, in the cache. */
export interface PluginCheckout {
  url: string;
  /** bare repository holding the commit (shallow where a sha or ref allowed it) */
  dir: string;
  commit: string;
}

const hasCommit = (dir: string, commit: string, env: NodeJS.ProcessEnv) =>
  git(["cat-file", "-e", `${commit}^{commit}`], { cwd: dir, env }).then(
    () => true,
    () => false,
  );

const refRecord = (ref: string) => `refs/agentpkg/follow/${ref === "HEAD" ? "HEAD" : `r/${ref}`}`;

/**
 * One commit of the repository a plugin lives in (a marketplace entry's github, url or git-subdir source),
 * in a bare mirror of its own (`<name>-<hash>-plugin`): `commit` (a marketplace `sha`, a lock's origin
 * commit) is fetched alone at depth 1 when git allows it, else with the branches' history; without one,
 * the tip of `ref` (default: the repository's HEAD) is fetched at depth 1. A commit already in the cache is
 * never fetched again; with --offline a followed ref answers from its last fetch. `ref` must have passed
 * isSafeRef: it is given to git as a fetch source.
 */
export async function fetchPluginCommit(
  url: string,
  want: { commit?: string; ref?: string },
  o: { cache: string; env: NodeJS.ProcessEnv; offline: boolean },
): Promise<PluginCheckout> {
  classifyGitUrl(url);
  const dir = `${mirrorDir(o.cache, url)}-plugin`;
  const { env } = o;
  const exists = await fs.stat(path.join(dir, "HEAD")).then(
    () => true,
    () => false,
  );
  if (exists && want.commit && (await hasCommit(dir, want.commit, env))) return { url, dir, commit: want.commit };
  const ref = want.ref ?? "HEAD";
  if (o.offline) {
    const cached = exists && !want.commit ? await git(["rev-parse", "--verify", "-q", refRecord(ref)], { cwd: dir, env }).then((s) => s.trim(), () => "") : "";
    if (cached) return { url, dir, commit: cached };
    throw new AgentpkgError("E_OFFLINE", `${want.commit ? `commit ${want.commit.slice(0, 12)}` : want.ref ? `${want.ref} of` : "the head of"} ${redactCredentials(url)} is not in the cache (--offline)`, {
      hint: "run once without --offline to fetch it",
    });
  }
  removeStaleCacheTemps(o.cache);
  const release = await acquireLock(`${dir}.busy`, 120_000);
  try {
    if (!(await fs.stat(path.join(dir, "HEAD")).then(() => true, () => false))) {
      const tmp = `${dir}.tmp-${process.pid}`;
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.mkdir(path.dirname(dir), { recursive: true });
      await git(["init", "--bare", "--quiet", tmp], { env });
      await fs.rename(tmp, dir);
    }
    const fetch = (args: string[]) => git(["fetch", "--no-tags", "--quiet", ...args], { cwd: dir, env, timeoutMs: NETWORK_TIMEOUT_MS });
    let commit: string;
    if (want.commit) {
      commit = want.commit;
      if (!(await hasCommit(dir, commit, env))) {
        try {
          await fetch(["--depth", "1", "--", url, commit]);
        } catch (err) {
          if (!(err instanceof GitError)) throw err;
          if (err.timedOut || !NO_SUCH_COMMIT.test(err.stderr)) throw explainGitFailure(err, url);
          // a server that will not hand out a commit by id: its branches and tags, whole, must hold it
          await fetch(["--", url, "+refs/heads/*:refs/agentpkg/heads/*", "+refs/tags/*:refs/agentpkg/tags/*"]).catch((e: unknown) => {
            throw e instanceof GitError ? explainGitFailure(e, url) : e;
          });
          if (!(await hasCommit(dir, commit, env))) {
            throw new AgentpkgError("E_COMMIT_GONE", `${redactCredentials(url)} has no commit ${commit.slice(0, 12)}`, {
              cause: err,
              hint: "the repository's history was rewritten or the commit was never pushed; run agentpkg upgrade to take what its marketplace lists now",
            });
          }
        }
      }
    } else {
      try {
        await fetch(["--depth", "1", "--", url, ref]);
      } catch (err) {
        if (!(err instanceof GitError)) throw err;
        if (/couldn't find remote ref|no such remote ref/i.test(err.stderr)) {
          throw new AgentpkgError("E_NOT_FOUND", `${redactCredentials(url)} has no branch or tag "${ref}"`, { cause: err, hint: "ask the marketplace's maintainers to fix the plugin's ref" });
        }
        throw explainGitFailure(err, url);
      }
      commit = (await git(["rev-parse", "FETCH_HEAD^{commit}"], { cwd: dir, env })).trim();
      await git(["update-ref", refRecord(ref), commit], { cwd: dir, env });
    }
    // a name for every commit read, so no maintenance ever drops it
    await git(["update-ref", `refs/agentpkg/c/${commit}`, commit], { cwd: dir, env });
    return { url, dir, commit };
  } finally {
    await release();
  }
}
