import { AgentpkgError } from "../util/errors.js";
import { git } from "../git/run.js";
import { ensureMirror, type Mirror, type RefreshPolicy } from "../store/git-mirrors.js";
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
 * What kind of repository a url is, by what its head contains: `registry.json` -> registry,
 * `.claude-plugin/marketplace.json` -> marketplace, anything else -> a plain repository of agent files.
 * Looks at the shallow mirror (which a registry needs anyway).
 */
export async function detectRegistryType(url: string, name: string, o: GitSourceOptions): Promise<{ type: RegistryType; mirror: Mirror }> {
  const mirror = await ensureMirror(url, o);
  if (await hasCachedIndex(mirror, name)) return { type: "registry", mirror }; // no git run on warm paths
  const out = await git(["ls-tree", "--name-only", "--full-tree", mirror.commit, "--", "registry.json", MARKETPLACE_JSON], { cwd: mirror.dir, env: o.env });
  const present = new Set(out.split("\n"));
  if (present.has("registry.json")) return { type: "registry", mirror };
  return { type: present.has(MARKETPLACE_JSON) ? "marketplace" : "plain", mirror };
}

/** Open a git registry of the given type, or of the type its content says when none is configured. */
export async function openGitSource(ref: { name: string; url: string; type?: RegistryType }, o: GitSourceOptions): Promise<Source> {
  let type = ref.type;
  let mirror: Mirror | undefined;
  if (type === undefined) ({ type, mirror } = await detectRegistryType(ref.url, ref.name, o));
  switch (type) {
    case "registry":
      // the shallow mirror detection brought up to date is the one a registry reads
      return GitRegistrySource.open(ref.name, ref.url, o, mirror);
    // loaded only when used: commands that never open such a registry stay fast to start
    case "marketplace":
      return (await import("./marketplace/marketplace-source.js")).MarketplaceSource.open(ref.name, ref.url, o);
    case "plain":
      return (await import("./plain/plain-repo-source.js")).PlainRepoSource.open(ref.name, ref.url, o);
  }
}
