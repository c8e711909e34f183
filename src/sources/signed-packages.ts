// Signed registries (docs/design-notes.md, "Signed registries"): whether the commits a package comes from
// carry a good signature by one of its registry's allowed keys. Shared by the change pipeline (before
// anything is written) and `verify --signatures` (offline, from the cache); each says where commits are.
import { classifyGitUrl } from "../git/run.js";
import { parseAllowedSignerLine, type AllowedSigner } from "../git/allowed-signers.js";
import { readCommitSignatures, type CommitSignature } from "../git/commit-signatures.js";
import type { Manifest } from "../project/manifest.js";
import { redactCredentials } from "../util/redact.js";
import { SignatureCache } from "../store/signature-cache.js";
import { marketplaceEntryAt } from "./marketplace/marketplace-plugins.js";

/** Every signed registry of a manifest, by name, with its keys. */
export function signedRegistries(manifest: Manifest): Map<string, AllowedSigner[]> {
  const out = new Map<string, AllowedSigner[]>();
  for (const [name, lines] of Object.entries(manifest.registrySigners ?? {})) {
    if (!Object.hasOwn(manifest.registries, name)) continue;
    out.set(name, lines.map((l) => parseAllowedSignerLine(l)).filter((s): s is AllowedSigner => typeof s !== "string"));
  }
  return out;
}

/** Whether a recorded signer is one of a registry's keys. */
export function isAllowedSigner(signers: readonly AllowedSigner[] | undefined, signer: string | undefined): boolean {
  return signer !== undefined && (signers ?? []).some((s) => s.fingerprint === signer);
}

/** A locked package of a signed registry that names no allowed signer: `upgrade` resolves it again rather than keep it. */
export function lacksAllowedSigner(manifest: Manifest, entry: { registry: string; signer?: string }): boolean {
  const keys = signedRegistries(manifest).get(entry.registry);
  return keys !== undefined && !isAllowedSigner(keys, entry.signer);
}

export interface SignedPackage {
  /** `agent reviewer@1.2.0`, `plugin kit@1.0.0` */
  label: string;
  registry: string;
  url: string;
  /** the commit the package was read at: its signer is the one the lock records */
  commit: string | null;
  /** other commits bytes of it come from (a plugin's files kept at an older version) */
  also: string[];
  /** a plugin of another repository: the signed marketplace commit must pin exactly this commit */
  external?: { plugin: string; root: string; url: string; commit: string };
}

export type Verdict = { ok: true; signer: string; principal?: string } | { ok: false; message: string; /** the commit is not in the cache */ unavailable?: boolean };

/** The folder holding each commit of a registry (absent: not available, and `why` not). */
export type Locate = (registry: string, url: string, commits: string[]) => Promise<{ dirs: Map<string, string>; why?: string }>;

const short = (c: string) => c.slice(0, 12);

/** What is wrong with a commit's signature, as a clause after "commit X" (empty when it is good). */
export function signatureProblem(registry: string, sig: CommitSignature | undefined): string {
  if (!sig) return "has a signature that could not be read";
  switch (sig.status) {
    case "good":
      return "";
    case "unsigned":
      return "is not signed";
    case "untrusted":
      return sig.openpgp ? `is signed with an OpenPGP key (${sig.fingerprint}); allowed signers are SSH keys` : `is signed by ${sig.fingerprint ?? "an unknown key"}, a key that is not one of registry ${registry}'s allowed signers`;
    case "bad":
      return "has a signature that does not match it (bad signature)";
    case "expired":
      return "is signed by a key that was not valid then (expired)";
    case "revoked":
      return "is signed by a revoked key";
    case "unverifiable":
      return "has a signature git could not check (SSH signatures need git 2.34 or newer and ssh-keygen)";
  }
}

/**
 * One verdict per package, in order: every commit it comes from signed by an allowed key, and what an external
 * plugin's entry pins. `remember` (a cache folder): commits found good before are taken from the
 * SignatureCache, and new good ones added to it.
 */
export async function verifyPackages(
  pkgs: readonly SignedPackage[],
  signers: ReadonlyMap<string, AllowedSigner[]>,
  locate: Locate,
  env: NodeJS.ProcessEnv,
  o: { remember?: string } = {},
): Promise<Verdict[]> {
  const sigs = new Map<string, Map<string, CommitSignature>>();
  const dirs = new Map<string, { dirs: Map<string, string>; why?: string }>();
  const groups = new Map<string, SignedPackage[]>();
  const keyOf = (p: SignedPackage) => `${p.registry}\n${p.url}`;
  for (const p of pkgs) groups.set(keyOf(p), [...(groups.get(keyOf(p)) ?? []), p]);
  for (const [key, group] of groups) {
    const { registry, url } = group[0]!;
    const keys = signers.get(registry) ?? [];
    const cache = o.remember === undefined ? undefined : SignatureCache.open(o.remember, keys.map((k) => k.line));
    const checked = new Map<string, CommitSignature>();
    // an external plugin's marketplace commit is read again for its pin: it needs its folder
    const pinned = new Set(group.filter((p) => p.external && p.commit).map((p) => p.commit!));
    const todo: string[] = [];
    for (const c of new Set(group.flatMap((p) => (p.commit ? [p.commit, ...p.also] : p.also)))) {
      const known = pinned.has(c) ? undefined : cache?.signer(c);
      if (known) checked.set(c, { commit: c, status: "good", fingerprint: known });
      else todo.push(c);
    }
    const found = todo.length ? await locate(registry, url, todo) : { dirs: new Map<string, string>() };
    dirs.set(key, found);
    const perDir = new Map<string, string[]>();
    for (const [c, d] of found.dirs) perDir.set(d, [...(perDir.get(d) ?? []), c]);
    for (const [d, cs] of perDir) {
      for (const [c, sig] of await readCommitSignatures(d, cs, keys, env)) {
        checked.set(c, sig);
        if (sig.status === "good" && sig.fingerprint) cache?.remember(c, sig.fingerprint);
      }
    }
    await cache?.save();
    sigs.set(key, checked);
  }
  const out: Verdict[] = [];
  for (const p of pkgs) {
    const where = dirs.get(keyOf(p))!;
    const checked = sigs.get(keyOf(p))!;
    const head = `registry ${p.registry} requires signed commits: ${p.label}`;
    let verdict: Verdict | undefined;
    if (!p.commit) verdict = { ok: false, message: `${head} has no commit to check (registry ${p.registry} is not a git repository)` };
    for (const c of p.commit ? [p.commit, ...p.also] : []) {
      if (verdict) break;
      const sig = checked.get(c);
      if (!sig) verdict = { ok: false, unavailable: true, message: `${head} comes from commit ${short(c)}, which cannot be checked: ${where.why ?? "it is not in the cache"}` };
      else if (signatureProblem(p.registry, sig)) verdict = { ok: false, message: `${head} comes from commit ${short(c)}, which ${signatureProblem(p.registry, sig)}` };
    }
    if (!verdict && p.external) verdict = await checkPin(p, where.dirs.get(p.commit!)!, env, head);
    if (!verdict) {
      const sig = checked.get(p.commit!)!;
      verdict = { ok: true, signer: sig.fingerprint!, ...(sig.principal ? { principal: sig.principal } : {}) };
    }
    out.push(verdict);
  }
  return out;
}

/**
 * A plugin of another repository: its commits are not the registry's, so no allowed key signs them. The
 * signed marketplace commit vouches for them only when its entry pins the exact commit read (`sha`), at the
 * same url and folder: a branch or tag it follows could point anywhere since.
 */
async function checkPin(p: SignedPackage, dir: string, env: NodeJS.ProcessEnv, head: string): Promise<Verdict | undefined> {
  const x = p.external!;
  const kind = classifyGitUrl(p.url);
  const entry = await marketplaceEntryAt(dir, env, p.commit!, x.plugin, kind === "file" || kind === "path");
  const pinned = entry?.external;
  if (pinned && pinned.sha === x.commit && pinned.url === x.url && pinned.path === x.root) return undefined;
  const what = !pinned ? "has no entry for it" : pinned.sha ? `pins ${short(pinned.sha)} of ${redactCredentials(pinned.url)}` : `follows ${pinned.ref ?? "the default branch"} of ${redactCredentials(pinned.url)} without a sha`;
  return {
    ok: false,
    message: `${head} comes from ${redactCredentials(x.url)} at ${short(x.commit)}, another repository whose commits its keys do not sign, and the signed marketplace.json at ${short(p.commit!)} ${what}`,
  };
}
