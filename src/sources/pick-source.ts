import { AgentpkgError } from "../util/errors.js";
import { git } from "../git/run.js";
import path from "node:path";
import { tryReadRegularFile } from "../util/safe-read.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ensureMirror, mirrorDir, readMeta, type Mirror, type RefreshPolicy } from "../store/git-mirrors.js";
import { cloneAndDetect } from "../store/first-clone.js";
import { presentRootTree } from "../store/treeless.js";
import { GitRegistrySource, hasCachedIndex } from "./git-registry/git-registry-source.js";
import { MARKETPLACE_JSON } from "./marketplace/marketplace-json.js";
import { REGISTRY_TYPES, type RegistryType } from "../project/manifest.js";
import type { Source } from "./source.js";

export function isRegistryType(t: unknown): t is RegistryType {
  return typeof t === "string" && (REGISTRY_TYPES as readonly string[]).includes(t);
}

export function parseRegistryType(t: string, where: string): RegistryType {
  if (!isRegistryType(t)) {
    throw new AgentpkgError("E_USAGE", `invalid registry type "${t}" in ${where}`, { hint: `use one of: ${REGISTRY_TYPES.join(", ")}` });
  }
  return t;
}

export interface GitSourceOptions {
  cache: string;
  env: NodeJS.ProcessEnv;
  policy: RefreshPolicy;
  ttlMs: number;
  /** progress of a clone or fetch (git's own lines), for a progress line on a terminal */
  progress?: (text: string) => void;
}

/**
 * The commit `rev` names and the kind its tree says: `registry.json` -> registry,
 * `.claude-plugin/marketplace.json` -> marketplace, else plain. One `cat-file --batch-check` of the commit
 * and one `ls-tree` of the two paths: listing reads no blob, where asking git about `rev:registry.json`
 * would make a partial mirror fetch it (33 MB for 100,000 agents).
 */
async function kindAt(dir: string, rev: string, env: NodeJS.ProcessEnv): Promise<{ commit: string; type: RegistryType }> {
  const head = await git(["cat-file", "--batch-check"], { cwd: dir, env, input: `${rev}^{commit}\n` });
  const commit = /^([0-9a-f]{40,64}) commit /.exec(head)?.[1];
  if (!commit) throw new AgentpkgError("E_REGISTRY_INVALID", `the repository's ${rev} is not a commit`, { hint: "check the url: it must be a git repository with a default branch" });
  const listed = await git(["--literal-pathspecs", "ls-tree", "-z", "--full-tree", "--name-only", commit, "--", "registry.json", MARKETPLACE_JSON], { cwd: dir, env });
  const present = new Set(listed.split("\0"));
  return { commit, type: present.has("registry.json") ? "registry" : present.has(MARKETPLACE_JSON) ? "marketplace" : "plain" };
}

const typeAt = async (dir: string, commit: string, env: NodeJS.ProcessEnv): Promise<RegistryType> => (await kindAt(dir, commit, env)).type;

/** A history mirror's kind, remembered per head commit in the mirror (`detected-kind`): warm runs need no git. */
async function historyTypeAt(mirror: Mirror, env: NodeJS.ProcessEnv): Promise<RegistryType> {
  const file = path.join(mirror.dir, "detected-kind");
  const r = tryReadRegularFile(file, { limit: 256 });
  const [commit, kind] = r.ok ? r.data.toString("utf8").split(" ") : [];
  if (commit === mirror.commit && isRegistryType(kind)) return kind;
  return rememberKind(mirror, await typeAt(mirror.dir, mirror.commit, env));
}

async function rememberKind(mirror: Mirror, type: RegistryType): Promise<RegistryType> {
  await writeFileAtomic(path.join(mirror.dir, "detected-kind"), `${mirror.commit} ${type}`, { durable: false }).catch(() => undefined); // a read-only cache only costs speed
  return type;
}

/**
 * What kind of repository a url is, by what its head contains: `registry.json` -> registry,
 * `.claude-plugin/marketplace.json` -> marketplace, anything else -> a plain repository of agent files.
 * Fetches at most once: a repository seen for the first time is cloned shallow and, when its kind takes
 * versions from history, deepened in place (store/first-clone.ts); one known only by its history mirror
 * (a marketplace or plain repository) is looked at there; otherwise the shallow mirror, which a registry
 * reads anyway, tells.
 */
export async function detectRegistryType(url: string, name: string, o: GitSourceOptions): Promise<{ type: RegistryType; mirror: Mirror }> {
  const shallowKnown = (await readMeta(mirrorDir(o.cache, url)))?.url === url;
  const historyKnown = (await readMeta(mirrorDir(o.cache, url, true)))?.url === url;
  if (!shallowKnown && !historyKnown && o.policy !== "never") {
    let type: RegistryType = "registry";
    const mirror = await cloneAndDetect(url, o, async (dir) => {
      const head = await kindAt(dir, "HEAD", o.env);
      type = head.type;
      return { commit: head.commit, history: type !== "registry" };
    });
    if (mirror?.history) return { type: await rememberKind(mirror, type), mirror };
    if (mirror) return { type, mirror };
  }
  if (!shallowKnown && historyKnown) {
    const mirror = await ensureMirror(url, { ...o, history: true });
    const type = await historyTypeAt(mirror, o.env);
    if (type !== "registry") return { type, mirror };
  }
  const mirror = await ensureMirror(url, o);
  if (hasCachedIndex(mirror, name)) return { type: "registry", mirror }; // no git run on warm paths
  await presentRootTree(mirror, mirror.commit, o.env, o.policy === "never"); // a treeless fetch brought the commit only
  return { type: await typeAt(mirror.dir, mirror.commit, o.env), mirror };
}

/** Open a git registry of the given type, or of the type its content says when none is configured. */
export async function openGitSource(ref: { name: string; url: string; type?: RegistryType }, o: GitSourceOptions): Promise<Source> {
  let type = ref.type;
  let mirror: Mirror | undefined;
  if (type === undefined) ({ type, mirror } = await detectRegistryType(ref.url, ref.name, o));
  switch (type) {
    case "registry":
      // the shallow mirror detection brought up to date is the one a registry reads
      return GitRegistrySource.open(ref.name, ref.url, o, mirror?.history ? undefined : mirror);
    // loaded only when used: commands that never open such a registry stay fast to start
    case "marketplace":
      return (await import("./marketplace/marketplace-source.js")).MarketplaceSource.open(ref.name, ref.url, o, mirror?.history ? mirror : undefined);
    case "plain":
      return (await import("./plain/plain-repo-source.js")).PlainRepoSource.open(ref.name, ref.url, o, mirror?.history ? mirror : undefined);
  }
}
