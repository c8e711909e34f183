import { AgentpkgError } from "../../util/errors.js";
import { isPlainObject, parseJsonFile } from "../../util/json.js";
import { redactCredentials } from "../../util/redact.js";
import { normalizeVersion } from "../history/git-versions.js";
import { repoPath } from "../../util/safe-path.js";
import { componentsOf, parsePluginJson as parsePluginManifest } from "../../plugin/plugin-json.js";
import type { EntryComponents } from "../../plugin/layout.js";

export { repoPath };

export const MARKETPLACE_JSON = ".claude-plugin/marketplace.json";
export const PLUGIN_JSON = ".claude-plugin/plugin.json";

/** One plugin entry of `.claude-plugin/marketplace.json`. */
export interface MarketplacePlugin {
  name: string;
  /** candidate plugin roots inside the repo ("" = the repo root), most likely first; empty when unsupported */
  roots: string[];
  /** why agentpkg cannot read this plugin (a source outside the repository) */
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
  warnings: string[];
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

const EXTERNAL_KINDS: Record<string, (s: Record<string, unknown>) => { what: string; url?: string }> = {
  github: (s) => ({ what: `a github source (${String(s.repo)})`, url: typeof s.repo === "string" ? `https://github.com/${s.repo}.git` : undefined }),
  url: (s) => ({ what: `a git url source (${redactCredentials(String(s.url))})`, url: typeof s.url === "string" ? redactCredentials(s.url) : undefined }),
  "git-subdir": (s) => ({ what: `a git-subdir source (${redactCredentials(String(s.url ?? s.repo))}${typeof s.path === "string" ? ` ${s.path}` : ""})` }),
  npm: (s) => ({ what: `an npm source (${String(s.package)})` }),
  pip: (s) => ({ what: `a pip source (${String(s.package)})` }),
};

/** Where a plugin lives: a relative path in this repo (the one kind agentpkg reads), or an external source. */
function pluginSource(source: unknown, pluginRoot: string | undefined): Pick<MarketplacePlugin, "roots" | "unsupported" | "externalUrl"> {
  let rel: string | undefined;
  if (typeof source === "string") rel = source;
  else if (isPlainObject(source) && typeof source.path === "string" && ["local", "directory", "relative"].includes(String(source.source))) rel = source.path;
  else if (isPlainObject(source)) {
    const kind = String(source.source);
    const ext = Object.hasOwn(EXTERNAL_KINDS, kind) ? EXTERNAL_KINDS[kind]!(source) : { what: `a "${kind}" source` };
    return { roots: [], unsupported: `it comes from ${ext.what}, which agentpkg does not support yet (only plugins inside the marketplace repository)`, externalUrl: ext.url };
  } else return { roots: [], unsupported: "it has no source" };
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return { roots: [], unsupported: `its source "${rel}" is a url, which agentpkg does not support yet` };
  const candidates = [pluginRoot !== undefined ? repoPath(pluginRoot, rel) : undefined, repoPath(rel)].filter((r): r is string => r !== undefined);
  if (candidates.length === 0) return { roots: [], unsupported: `its source "${rel}" points outside the repository` };
  return { roots: [...new Set(candidates)] };
}

/** Parse `.claude-plugin/marketplace.json`; broken JSON or a missing plugins list is an error, odd entries are warnings. */
export function parseMarketplaceJson(text: string, label: string): Marketplace {
  const file = `${label} ${MARKETPLACE_JSON}`;
  const raw = parseJsonFile(text, file, "E_REGISTRY_INVALID");
  const here = MARKETPLACE_JSON; // warnings are cached per repository, so they do not name the registry
  const fail = (msg: string): never => {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${file}: ${msg}`, { hint: "the marketplace's maintainers must fix marketplace.json" });
  };
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  if (!Array.isArray(raw.plugins)) return fail(`"plugins" must be an array of plugin entries`);
  const meta = isPlainObject(raw.metadata) ? raw.metadata : {};
  const pluginRoot = typeof meta.pluginRoot === "string" ? meta.pluginRoot : typeof raw.pluginRoot === "string" ? raw.pluginRoot : undefined;
  const warnings: string[] = [];
  const plugins: MarketplacePlugin[] = [];
  const seen = new Set<string>();
  raw.plugins.forEach((p, i) => {
    if (!isPlainObject(p) || typeof p.name !== "string" || p.name.trim() === "") {
      warnings.push(`${here}: plugins[${i}] has no name; skipped`);
      return;
    }
    if (seen.has(p.name)) {
      warnings.push(`${here}: plugin "${p.name}" is listed twice; the first entry wins`);
      return;
    }
    seen.add(p.name);
    plugins.push({
      name: p.name,
      ...pluginSource(p.source, pluginRoot),
      version: normalizeVersion(p.version),
      description: typeof p.description === "string" ? p.description : undefined,
      agents: pathList(p.agents),
      components: { ...componentsOf(p).components, strict: p.strict !== false },
    });
  });
  return { name: typeof raw.name === "string" ? raw.name : undefined, plugins, warnings };
}

/** A plugin's `.claude-plugin/plugin.json` as version history needs it; undefined when it is not a JSON object. */
export function parsePluginJson(text: string): PluginManifest | undefined {
  const pj = parsePluginManifest(text);
  return pj && { version: normalizeVersion(pj.version), description: pj.description, agents: pj.agents };
}

/** The entry of one plugin in a parsed marketplace, compared across commits by its JSON. */
export function entryKey(m: Marketplace | undefined, plugin: string): string {
  const e = m?.plugins.find((p) => p.name === plugin);
  return e ? JSON.stringify(e) : "";
}
