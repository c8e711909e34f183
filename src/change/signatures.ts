// Signed registries in the change pipeline (docs/design-notes.md, "Signed registries"): before a command
// writes anything from a registry whose manifest entry lists allowed signers, the commits it comes from
// must carry a good signature by one of those keys; the lock records the signer.
import { AgentpkgError } from "../util/errors.js";
import { cacheDir } from "../util/deps.js";
import { dict, own } from "../util/json.js";
import type { LockEntry, PluginLock } from "../project/lockfile.js";
import { cachedCommitDirs } from "../store/mirror-commits.js";
import { finishPlan, writesFile, type Plan } from "../plan/plan.js";
import { sourceForEntry } from "../sources/registries.js";
import { isAllowedSigner, signedRegistries, verifyPackages, type Locate, type SignedPackage } from "../sources/signed-packages.js";
import type { Context } from "./context.js";

interface Todo {
  pkg: SignedPackage;
  /** the entry as the plan locks it */
  entry: LockEntry | PluginLock;
  set: (e: LockEntry | PluginLock) => void;
}

/**
 * Check, and record in the plan's lock, the signer of every package of a signed registry that the plan
 * writes bytes of, or locks at another commit than the lock did. `install` checks every package of a signed
 * registry the lock has (a lock pulled from git is input like any other; the check also brings the commits
 * into the cache for `verify --signatures`). Refuses the whole command (E_SIGNATURE, exit 1) before anything
 * is written.
 */
export async function checkSignatures(ctx: Context, plan: Plan, command: string): Promise<Plan> {
  const signers = signedRegistries(plan.manifest);
  if (signers.size === 0) return plan;
  const written = new Map<string, Set<string>>();
  for (const s of plan.steps) {
    if (s.op === "remove" || !writesFile(s)) continue;
    const key = `${s.to.plugin ? "plugin" : "agent"}:${s.name}`;
    written.set(key, (written.get(key) ?? new Set()).add(s.to.commit ?? ""));
  }
  const all = command === "install";
  const current = ctx.files.lock;
  const agents = dict(plan.lock.agents);
  const plugins = dict(plan.lock.plugins);
  const todo: Todo[] = [];
  const consider = (key: string, label: string, entry: LockEntry | PluginLock, before: { commit: string | null } | undefined, extra: Partial<SignedPackage>, set: Todo["set"]) => {
    if (!signers.has(entry.registry)) return;
    if (!all && !written.has(key) && before?.commit === entry.commit) return;
    // a plugin's files kept at older versions come from other commits: those written now, or (install) all
    const kept = all && "files" in entry ? Object.values(entry.files).map((f) => f.commit ?? "") : [];
    const also = [...new Set([...(written.get(key) ?? []), ...kept])].filter((c) => c !== "" && c !== entry.commit);
    todo.push({ pkg: { label, registry: entry.registry, url: entry.url, commit: entry.commit, also, ...extra }, entry, set });
  };
  for (const [name, e] of Object.entries(agents)) consider(`agent:${name}`, `agent ${name}@${e.version}`, e, own(current.agents, name), {}, (n) => (agents[name] = n as LockEntry));
  for (const [name, p] of Object.entries(plugins)) {
    const external = p.origin ? { external: { plugin: name, root: p.root, url: p.origin.url, commit: p.origin.commit } } : {};
    consider(`plugin:${name}`, `plugin ${name}@${p.version}`, p, own(current.plugins, name), external, (n) => (plugins[name] = n as PluginLock));
  }
  if (todo.length === 0) return plan;
  const verdicts = await verifyPackages(todo.map((t) => t.pkg), signers, locator(ctx), ctx.deps.env, { remember: cacheDir(ctx.deps) });
  const refused: string[] = [];
  const unchecked: string[] = [];
  todo.forEach((t, i) => {
    const v = verdicts[i]!;
    if (v.ok) {
      if (t.entry.signer !== v.signer) t.set({ ...t.entry, signer: v.signer });
    } else if (v.unavailable && ctx.registries.offline && isAllowedSigner(signers.get(t.entry.registry), t.entry.signer)) {
      // offline, a commit the cache lacks: its bytes come from the content store or a bundle, and the lock's record stands
      unchecked.push(t.pkg.label);
    } else refused.push(v.message);
  });
  if (refused.length) {
    throw new AgentpkgError("E_SIGNATURE", `${refused[0]!}; nothing was changed`, {
      details: refused.slice(1),
      hint: "ask the registry's maintainers to sign their commits (git config commit.gpgsign true), pick a version from a signed commit, or check the registry's allowedSigners in .claude/agentpkg.json",
    });
  }
  const warnings = unchecked.length ? [`signatures not checked (offline, and the cache lacks their commits): ${unchecked.join(", ")}; the lockfile's record of who signed them stands`] : [];
  return finishPlan(ctx.files, { ...plan, lock: { ...plan.lock, agents, plugins }, warnings: [...plan.warnings, ...warnings] });
}

/** Commits from the cache's mirrors, else fetched through the registry (not with --offline). */
function locator(ctx: Context): Locate {
  return async (registry, url, commits) => {
    const dirs = await cachedCommitDirs(cacheDir(ctx.deps), url, commits, ctx.deps.env);
    const missing = commits.filter((c) => !dirs.has(c));
    if (missing.length === 0) return { dirs };
    if (ctx.registries.offline) return { dirs, why: "it is not in the cache (--offline)" };
    const source = await sourceForEntry(ctx.registries, { registry, url });
    if (!source.commitDir) return { dirs, why: `registry ${registry} is not a git repository` };
    let why: string | undefined;
    for (const c of missing) {
      try {
        dirs.set(c, await source.commitDir(c));
      } catch (err) {
        if (!(err instanceof AgentpkgError) || (err.code !== "E_COMMIT_GONE" && err.code !== "E_OFFLINE")) throw err;
        why = err.message;
      }
    }
    return { dirs, why };
  };
}
