// verify --signatures: re-check, from the cache and offline, that every locked package of a signed registry
// comes from commits signed by one of its allowed keys, and by the key the lock names.
import { cacheDir, type Deps } from "../util/deps.js";
import type { Lockfile } from "../project/lockfile.js";
import type { Manifest } from "../project/manifest.js";
import { cachedCommitDirs } from "../store/mirror-commits.js";
import { isAllowedSigner, signedRegistries, verifyPackages, type SignedPackage } from "../sources/signed-packages.js";

export interface SignatureProblem {
  kind: "signature";
  name: string;
  type: "agent" | "plugin";
  message: string;
  fix: string;
}

const FIX_RECORD = "agentpkg install (checks the signature and records its signer), then commit .claude/agentpkg.lock";
const FIX_CACHE = "agentpkg install (online: it checks every signature, fetching the commits into the cache)";
const FIX_UNSIGNED = "agentpkg upgrade NAME to a version from a signed commit, or remove it";

/** Problems with the signatures of locked packages of signed registries, and how many were checked. */
export async function verifySignatures(manifest: Manifest, lock: Lockfile, deps: Pick<Deps, "env" | "home">): Promise<{ problems: SignatureProblem[]; checked: number }> {
  const signers = signedRegistries(manifest);
  const problems: SignatureProblem[] = [];
  let checked = 0;
  const todo: { name: string; type: "agent" | "plugin"; signer?: string; pkg: SignedPackage }[] = [];
  const consider = (name: string, type: "agent" | "plugin", e: { registry: string; url: string; version: string; commit: string | null; signer?: string }, pkg: Partial<SignedPackage>) => {
    const keys = signers.get(e.registry);
    if (!keys) return;
    checked++;
    const label = `${type} ${name}@${e.version}`;
    const problem = (message: string, fix: string) => problems.push({ kind: "signature", name, type, message, fix });
    if (e.signer === undefined) problem(`${label}: the lockfile records no signer, and registry ${e.registry} requires signed commits`, FIX_RECORD);
    else if (!isAllowedSigner(keys, e.signer)) problem(`${label}: the lockfile says ${e.signer} signed it, a key that is not one of registry ${e.registry}'s allowed signers`, FIX_UNSIGNED.replace("NAME", name));
    else todo.push({ name, type, signer: e.signer, pkg: { label, registry: e.registry, url: e.url, commit: e.commit, also: [], ...pkg } });
  };
  for (const [name, e] of Object.entries(lock.agents)) consider(name, "agent", e, {});
  for (const [name, p] of Object.entries(lock.plugins)) {
    const also = new Set<string>();
    for (const f of Object.values(p.files)) if (f.commit && f.commit !== p.commit) also.add(f.commit);
    consider(name, "plugin", p, { also: [...also].sort(), ...(p.origin ? { external: { plugin: name, root: p.root, url: p.origin.url, commit: p.origin.commit } } : {}) });
  }
  const cache = cacheDir(deps);
  const verdicts = await verifyPackages(
    todo.map((t) => t.pkg),
    signers,
    async (_registry, url, commits) => ({ dirs: await cachedCommitDirs(cache, url, commits, deps.env), why: "it is not in the cache (verify never fetches)" }),
    deps.env,
  );
  todo.forEach((t, i) => {
    const v = verdicts[i]!;
    const problem = (message: string, fix: string) => problems.push({ kind: "signature", name: t.name, type: t.type, message, fix });
    if (!v.ok) problem(v.message, v.unavailable ? FIX_CACHE : FIX_UNSIGNED.replace("NAME", t.name));
    else if (v.signer !== t.signer) problem(`${t.pkg.label}: the lockfile says ${t.signer} signed commit ${t.pkg.commit?.slice(0, 12)}, but ${v.signer} did`, FIX_RECORD);
  });
  return { problems, checked };
}
