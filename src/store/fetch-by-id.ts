// Objects a partial mirror lacks, fetched by id in one fetch; presence checks that never fetch.
import { AgentpkgError } from "../util/errors.js";
import { acquireLock } from "../util/process-lock.js";
import { redactCredentials } from "../util/redact.js";
import { git, GitError, explainGitFailure } from "../git/run.js";

export const NETWORK_TIMEOUT_MS = 120_000;

/** Shallow mirrors ask for commits and trees without blobs (history mirrors hold everything). */
export const BLOBLESS = "--filter=blob:none";
/**
 * Shallow registry mirrors ask for commits only: a sharded registry's reader then fetches the few trees
 * and blobs it walks (store/treeless.ts), where every tree of a 100,000-agent registry is ~8 MB.
 */
export const TREELESS = "--filter=tree:0";

/**
 * git's environment for reading a mirror without the network: an object a partial mirror lacks fails the
 * read instead of being fetched (--offline, and every presence check).
 */
export function offlineGitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GIT_ALLOW_PROTOCOL: "none" };
}

/** The ids among `oids` the repository at `dir` lacks (never fetches; all of them when git cannot tell). */
export async function missingObjects(dir: string, oids: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const wanted = [...new Set(oids)];
  if (wanted.length === 0) return [];
  return git(["cat-file", "--batch-check=%(objectname)"], { cwd: dir, env: offlineGitEnv(env), input: wanted.join("\n") + "\n" }).then(
    (out) => out.split("\n").filter((l) => l.endsWith(" missing")).map((l) => l.slice(0, -" missing".length)),
    () => wanted,
  );
}

/**
 * The objects of `oids` the mirror lacks, in one fetch by id with `filter` (what comes along with each:
 * BLOBLESS, a tree with every tree below it; TREELESS, the object alone). What git's own on-demand fetch of
 * a partial clone runs, for all at once. No network when all are present; with --offline, a missing one is
 * E_OFFLINE naming `what`.
 */
export async function fetchMissing(
  mirror: { dir: string; url: string },
  oids: readonly string[],
  filter: string,
  o: { env: NodeJS.ProcessEnv; offline: boolean; what: string },
): Promise<void> {
  // all present (a full mirror, a warm one): no fetch, so readers of a shared mirror never write to it
  const missing = await missingObjects(mirror.dir, oids, o.env);
  if (missing.length === 0) return;
  if (o.offline) {
    throw new AgentpkgError("E_OFFLINE", `${o.what} of ${redactCredentials(mirror.url)} are not in the cache (--offline)`, {
      hint: "run once without --offline to fetch them",
    });
  }
  // a fetch writes to the mirror (a pack, the shallow file): one process at a time, as for ensureMirror
  const release = await acquireLock(`${mirror.dir}.busy`, 120_000);
  try {
    const args = ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", filter, "--stdin", "--quiet", "--", mirror.url];
    await git(args, { cwd: mirror.dir, env: o.env, input: missing.join("\n") + "\n", timeoutMs: NETWORK_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof GitError) throw explainGitFailure(err, mirror.url);
    throw err;
  } finally {
    await release();
  }
}
