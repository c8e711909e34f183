import { AgentpkgError } from "../../util/errors.js";
import { isPlainObject, parseJsonFile } from "../../util/json.js";
import { redactCredentials } from "../../util/redact.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import { classifyGitUrl } from "../../git/run.js";
import { normalizeVersion } from "../history/git-versions.js";
import { repoPath } from "../../util/safe-path.js";
import { componentsOf, parsePluginJson as parsePluginManifest } from "../../plugin/plugin-json.js";
import type { EntryComponents } from "../../plugin/layout.js";

export { repoPath };

export const MARKETPLACE_JSON = ".claude-plugin/marketplace.json";
export const PLUGIN_JSON = ".claude-plugin/plugin.json";

/** A plugin that lives in another git repository (a `github`, `url` or `git-subdir` source). */
export interface ExternalSource {
  kind: "github" | "url" | "git-subdir";
  /** the repository's git url (a github source's `https://github.com/OWNER/NAME.git`) */
  url: string;
  /** the plugin's folder in that repository ("" = its root) */
  path: string;
  /** a branch or tag to follow (default: the repository's default branch) */
  ref?: string;
  /** the exact commit (40 hex digits), honoured as is */
  sha?: string;
}

/** One plugin entry of `.claude-plugin/marketplace.json`. */
export interface MarketplacePlugin {
  name: string;
  /** candidate plugin roots inside the repo ("" = the repo root), most likely first; empty when unsupported or external */
  roots: string[];
  /** where the plugin's files are when they live in another repository */
  external?: ExternalSource;
  /** why agentpkg cannot read this plugin */
  unsupported?: string;
  /** a git url the plugin could be added from as its own registry */
  externalUrl?: string;
  version?: string;
  description?: string;
  /** extra agent files or folders, relative to the plugin root */
  agents: string[];
  /** the components the entry defines itself (added to the plugin's own), and whether it is strict */
  components: EntryComponents;
}

export interface Marketplace {
  name?: string;
  plugins: MarketplacePlugin[];
  /** the same entries by name */
  byName: Map<string, MarketplacePlugin>;
  /** `metadata.pluginRoot` (or a top-level `pluginRoot`): where relative sources are looked for first */
  pluginRoot?: string;
  warnings: string[];
}

export interface MarketplaceParseOptions {
  /** plugins may come from file:// urls and local paths (only when the marketplace itself is local) */
  allowLocal?: boolean;
}

/** `.claude-plugin/plugin.json`, read leniently: only what agentpkg uses. */
export interface PluginManifest {
  version?: string;
  description?: string;
  agents: string[];
}

function pathList(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

/** A branch or tag name git takes as a fetch source without reading it as an option or a refspec. */
export function isSafeRef(ref: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(ref) && !ref.includes("..") && !ref.includes("//") && !ref.endsWith("/") && !ref.endsWith(".lock") && !ref.endsWith(".") && ref.length <= 255;
}

type SourceResult = Pick<MarketplacePlugin, "roots" | "unsupported" | "externalUrl" | "external">;

/** A `github`, `url` or `git-subdir` source, checked: a url git may fetch, a safe folder, ref and sha. */
function externalSource(kind: ExternalSource["kind"], s: Record<string, unknown>, allowLocal: boolean): SourceResult {
  const shown = kind === "github" ? `a github source (${String(s.repo)})` : `a ${kind === "url" ? "git url" : kind} source (${redactCredentials(String(s.url ?? s.repo))}${typeof s.path === "string" ? ` ${s.path}` : ""})`;
  const refuse = (why: string, url?: string): SourceResult => ({ roots: [], unsupported: `it comes from ${shown}, ${why}`, externalUrl: url });
  let url: string;
  const repo = typeof s.repo === "string" ? s.repo.replace(/\.git$/, "") : undefined;
  if (kind === "github" || (kind === "git-subdir" && typeof s.url !== "string" && repo !== undefined)) {
    if (repo === undefined || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo) || repo.startsWith("-")) return refuse(`whose "repo" is not OWNER/NAME`);
    url = `https://github.com/${repo}.git`;
  } else {
    if (typeof s.url !== "string" || s.url === "") return refuse(`which has no "url"`);
    url = s.url;
  }
  let urlKind: string;
  try {
    urlKind = classifyGitUrl(url);
  } catch (err) {
    return refuse(`whose url agentpkg refuses: ${err instanceof Error ? err.message.replace(/^invalid registry url /, "") : String(err)}`);
  }
  if ((urlKind === "file" || urlKind === "path") && !allowLocal) return refuse("a local repository, which only a local marketplace may name");
  let sub = "";
  if (s.path !== undefined) {
    const p = typeof s.path === "string" ? repoPath(s.path) : undefined;
    if (p === undefined || (p !== "" && !isSafeRegistryPath(p))) return refuse(`whose "path" is not a folder inside that repository`, url);
    sub = p;
  } else if (kind === "git-subdir") return refuse(`which has no "path"`, url);
  const ext: ExternalSource = { kind, url, path: sub };
  if (s.ref !== undefined) {
    if (typeof s.ref !== "string" || !isSafeRef(s.ref)) return refuse(`whose "ref" is not a branch or tag name`, url);
    ext.ref = s.ref;
  }
  if (s.sha !== undefined) {
    if (typeof s.sha !== "string" || !/^[0-9a-fA-F]{40}$/.test(s.sha)) return refuse(`whose "sha" is not a full 40-digit commit id`, url);
    ext.sha = s.sha.toLowerCase();
  }
  return { roots: [], external: ext };
}

const OTHER_KINDS: Record<string, (s: Record<string, unknown>) => string> = {
  npm: (s) => `an npm source (${String(s.package)})`,
  pip: (s) => `a pip source (${String(s.package)})`,
};

/** Where a plugin lives: a relative path in this repo, another git repository, or something agentpkg cannot read. */
function pluginSource(source: unknown, pluginRoot: string | undefined, allowLocal: boolean): SourceResult {
  let rel: string | undefined;
  if (typeof source === "string") rel = source;
  else if (isPlainObject(source) && typeof source.path === "string" && ["local", "directory", "relative"].includes(String(source.source))) rel = source.path;
  else if (isPlainObject(source)) {
    const kind = String(source.source);
    if (kind === "github" || kind === "url" || kind === "git-subdir") return externalSource(kind, source, allowLocal);
    const what = Object.hasOwn(OTHER_KINDS, kind) ? OTHER_KINDS[kind]!(source) : `a "${kind}" source`;
    return { roots: [], unsupported: `it comes from ${what}, which agentpkg does not support (only git repositories)` };
  } else return { roots: [], unsupported: "it has no source" };
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return { roots: [], unsupported: `its source "${rel}" is a url, which agentpkg does not support yet` };
  const candidates = [pluginRoot !== undefined ? repoPath(pluginRoot, rel) : undefined, repoPath(rel)].filter((r): r is string => r !== undefined);
  if (candidates.length === 0) return { roots: [], unsupported: `its source "${rel}" points outside the repository` };
  return { roots: [...new Set(candidates)] };
}

/** One entry of the plugins list as agentpkg reads it (its name already checked). */
export function marketplaceEntry(p: Record<string, unknown> & { name: string }, pluginRoot: string | undefined, o: MarketplaceParseOptions = {}): MarketplacePlugin {
  return {
    name: p.name,
    ...pluginSource(p.source, pluginRoot, o.allowLocal === true),
    version: normalizeVersion(p.version),
    description: typeof p.description === "string" ? p.description : undefined,
    agents: pathList(p.agents),
    components: { ...componentsOf(p).components, strict: p.strict !== false },
  };
}

/**
 * The plugins list from its entries, in order: nameless and repeated entries are warnings (the first of a
 * name wins). `entry(i)` reads the i-th raw entry (a history replay gives back unchanged ones as they were).
 */
export function assembleMarketplace(name: string | undefined, pluginRoot: string | undefined, raws: readonly unknown[], entry: (i: number) => MarketplacePlugin): Marketplace {
  const warnings: string[] = [];
  const plugins: MarketplacePlugin[] = [];
  const byName = new Map<string, MarketplacePlugin>();
  raws.forEach((p, i) => {
    if (!isNamedEntry(p)) {
      warnings.push(`${MARKETPLACE_JSON}: plugins[${i}] has no name; skipped`); // cached per repository: no registry name
      return;
    }
    if (byName.has(p.name)) {
      warnings.push(`${MARKETPLACE_JSON}: plugin "${p.name}" is listed twice; the first entry wins`);
      return;
    }
    const e = entry(i);
    byName.set(p.name, e);
    plugins.push(e);
  });
  return { name, plugins, byName, pluginRoot, warnings };
}

export function isNamedEntry(p: unknown): p is Record<string, unknown> & { name: string } {
  return isPlainObject(p) && typeof p.name === "string" && p.name.trim() !== "";
}

/** Parse `.claude-plugin/marketplace.json`; broken JSON or a missing plugins list is an error, odd entries are warnings. */
export function parseMarketplaceJson(text: string, label: string, o: MarketplaceParseOptions = {}): Marketplace {
  const file = `${label} ${MARKETPLACE_JSON}`;
  const raw = parseJsonFile(text, file, "E_REGISTRY_INVALID");
  const fail = (msg: string): never => {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${file}: ${msg}`, { hint: "the marketplace's maintainers must fix marketplace.json" });
  };
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  if (!Array.isArray(raw.plugins)) return fail(`"plugins" must be an array of plugin entries`);
  const raws: unknown[] = raw.plugins;
  const meta = isPlainObject(raw.metadata) ? raw.metadata : {};
  const pluginRoot = typeof meta.pluginRoot === "string" ? meta.pluginRoot : typeof raw.pluginRoot === "string" ? raw.pluginRoot : undefined;
  return assembleMarketplace(typeof raw.name === "string" ? raw.name : undefined, pluginRoot, raws, (i) => marketplaceEntry(raws[i] as Record<string, unknown> & { name: string }, pluginRoot, o));
}

/** A plugin's `.claude-plugin/plugin.json` as version history needs it; undefined when it is not a JSON object. */
export function parsePluginJson(text: string): PluginManifest | undefined {
  const pj = parsePluginManifest(text);
  return pj && { version: normalizeVersion(pj.version), description: pj.description, agents: pj.agents };
}

/** The entry of one plugin in a parsed marketplace, compared across commits by its JSON. */
export function entryKey(m: Marketplace | undefined, plugin: string): string {
  const e = m?.byName.get(plugin);
  return e ? JSON.stringify(e) : "";
}

/** Did one plugin's entry change between two versions of marketplace.json? (An entry reused as is did not.) */
export function entryChanged(a: Marketplace | undefined, b: Marketplace | undefined, plugin: string): boolean {
  const ea = a?.byName.get(plugin);
  const eb = b?.byName.get(plugin);
  if (ea === eb) return false;
  if (!ea || !eb) return true;
  return JSON.stringify(ea) !== JSON.stringify(eb);
}
