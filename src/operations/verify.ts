import { cacheDir, type Deps } from "../util/deps.js";
import { scopeFor, statScopeFile, type Scope } from "../project/scope.js";
import { listAgentFiles } from "../project/agents-dir.js";
import { scopeRunKey, StatCache } from "../store/stat-cache.js";
import type { VerifyOptions, VerifyResult } from "./verify-check.js";

export type { Problem, ProblemKind, VerifyOptions, VerifyResult } from "./verify-check.js";

/**
 * verify: read-only check for CI. Reads the manifest, the lock and the agent files; never the network.
 * `signatures`: also the signatures of what signed registries' packages come from, in the cache's mirrors.
 * A repeated verify of an unchanged project is answered here; the whole check (verify-check.ts, with its
 * parsers and semver) is loaded only when that answer is not there.
 */
export async function runVerify(o: VerifyOptions, deps: Pick<Deps, "cwd" | "home" | "env">): Promise<VerifyResult> {
  const scope = scopeFor(deps, o.global === true);
  const statCache = StatCache.load(cacheDir(deps), scope.root);
  // stats taken before the files are read: a change after this point shows in the next run's key
  // stats taken before the files are read: a change after this point shows in the next run's key
  const inputs = scopeRunKey(o.agentpkgVersion, scope);
  const quick = inputs === undefined || o.signatures ? undefined : await unchangedVerify(scope, statCache, inputs);
  if (quick) return quick;
  return (await import("./verify-check.js")).fullVerify(o, deps, scope, statCache, inputs);
}

/**
 * A repeated verify of an unchanged project, answered from the stat cache as `git status` answers from its
 * index: the last verify with this manifest and lockfile (by stat) found nothing wrong, and no file it
 * hashed has changed since (by stat, with the racy rule). The agents folder is still walked: a new file
 * there is reported as not managed by agentpkg. Nothing is parsed.
 */
async function unchangedVerify(scope: Scope, statCache: StatCache, inputs: string): Promise<VerifyResult | undefined> {
  const last = statCache.unchangedSince("verify", inputs, (rel) => statScopeFile(scope, rel));
  if (!last) return undefined;
  const [checked, checkedPlugins] = last.counts;
  if (checked === undefined || checkedPlugins === undefined) return undefined;
  // every file the lock tracks was hashed (the last run found no package outside the manifest)
  const tracked = new Set(last.files);
  // (the tracked files were just found to be regular files: the walk leaves them out without asking again)
  const untracked = await listAgentFiles(scope, tracked);
  return { ok: true, checked, problems: [], untracked, checkedPlugins, warnings: [] };
}
