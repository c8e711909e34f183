import { AgentpkgError } from "../../util/errors.js";
import { dict } from "../../util/json.js";
import type { Mirror } from "../../store/git-mirrors.js";
import { isRegularFile, listTree, type TreeFile } from "../../git/history.js";
import { readBlobs } from "../../git/objects.js";
import { commitVersions } from "../history/git-versions.js";
import { HistorySource, type HistorySourceOptions } from "../history/history-source.js";
import { agentFiles, ancestors, extraAgentPaths, marketplaceHistory, type PluginRef } from "./marketplace-history.js";
import { MARKETPLACE_JSON, parseMarketplaceJson, parsePluginJson, PLUGIN_JSON, repoPath, type ExternalSource, type MarketplacePlugin, type PluginManifest } from "./marketplace-json.js";
import { MAX_AGENT_BYTES } from "../read-checks.js";
import { agentIdentity, exposeAgents, INDEX_FORMAT, type AgentIdentity, type FoundAgent, type IndexedPlugin, type SourceIndex } from "../index/source-index.js";
import { redactCredentials } from "../../util/redact.js";
import type { PluginContent, PluginEntry, VersionInfo } from "../source.js";
import { indexPlugins, marketplaceEntryAt, readPluginAt } from "./marketplace-plugins.js";
import { indexExternalPlugin, readExternalPlugin } from "./marketplace-external.js";
import { noEntryComponents } from "../../plugin/layout.js";
import { classifyGitUrl } from "../../git/run.js";

/** A marketplace on this machine (file:// or a path) may name plugins in local repositories; others may not. */
function isLocalUrl(url: string): boolean {
  const kind = classifyGitUrl(url);
  return kind === "file" || kind === "path";
}
import { fetchCommit } from "../../store/git-mirrors.js";

/**
 * A Claude Code plugin marketplace (`.claude-plugin/marketplace.json`): every agent of every plugin that
 * lives in the repository, by its `name` field. A plugin's versions are the `version` values it had
 * over its git history (plugin.json, else its marketplace entry); each resolves to the newest commit
 * at which the plugin still had that version. A plugin without any version gets one prerelease per
 * commit that changed the agent file, as in plain repositories.
 */
export class MarketplaceSource extends HistorySource {
  /** the cache folder, where the repositories of external plugins are fetched */
  private cache = "";

  static async open(name: string, url: string, o: HistorySourceOptions, given?: Mirror): Promise<MarketplaceSource> {
    const headFiles = new Map<string, Buffer>();
    const { mirror, index } = await HistorySource.load("marketplace", url, o, {
      key: async (m) => m.commit,
      build: (m, key) => buildMarketplaceIndex(m, key, o.env, name, headFiles),
    }, given);
    const source = new MarketplaceSource("marketplace", name, url, mirror, index, o.env, o.policy === "never");
    source.headFiles = headFiles;
    source.cache = o.cache;
    return source;
  }

  async listPlugins(): Promise<PluginEntry[]> {
    return Object.values(this.index.plugins ?? {});
  }

  async getPlugin(name: string): Promise<PluginEntry | null> {
    const plugins = this.index.plugins ?? {};
    return Object.hasOwn(plugins, name) ? plugins[name]! : null;
  }

  /**
   * One version of a plugin: its files at the commit that holds it (a lockfile's commit when given), with
   * its marketplace entry as it was there. A plugin of another repository is fetched from it: at the lock's
   * origin commit when `v.origin.commit` is given, else where its entry points.
   */
  async readPlugin(name: string, v: VersionInfo, commit?: string | null): Promise<PluginContent> {
    const at = commit ?? v.commit ?? this.mirror.commit;
    if (at !== this.mirror.commit) await fetchCommit(this.mirror, at, this.env, this.offline);
    const entry = await marketplaceEntryAt(this.mirror.dir, this.env, at, name, isLocalUrl(this.url));
    const components = entry?.components ?? noEntryComponents();
    const external = v.origin ? { url: v.origin.url, path: v.path, ref: v.origin.ref, sha: v.origin.sha } : entry?.external;
    if (v.origin && !isLocalUrl(this.url) && isLocalUrl(v.origin.url)) {
      // a lockfile is input like any other: it may not point a remote marketplace's plugin at a repository of yours
      throw new AgentpkgError("E_UNSAFE", `${this.name}: plugin ${name} is locked to the local repository ${redactCredentials(v.origin.url)}, which a marketplace at ${redactCredentials(this.url)} cannot name`, {
        hint: "run agentpkg upgrade to lock what the marketplace lists",
      });
    }
    if (external) {
      return readExternalPlugin({
        registry: this.name,
        plugin: name,
        source: external,
        lockedCommit: v.origin?.commit,
        entryVersion: entry?.version,
        entry: components,
        cache: this.cache,
        env: this.env,
        offline: this.offline,
      });
    }
    const roots = Object.values(this.index.plugins ?? {}).filter((p) => !(p as IndexedPlugin).external).map((p) => p.root);
    return readPluginAt(this.mirror.dir, this.env, { registry: this.name, plugin: name, commit: at, root: v.path, exclude: roots, entry: components });
  }
}

interface HeadAgent {
  plugin: string;
  path: string;
  id: AgentIdentity;
}

/** `headFiles`, when given, receives the bytes of the head's agent files (read anyway). */
export async function buildMarketplaceIndex(mirror: Mirror, key: string, env: NodeJS.ProcessEnv, label: string, headFiles?: Map<string, Buffer>): Promise<SourceIndex> {
  const { dir, commit: head } = mirror;
  const tree = await listTree(dir, head, env);
  const mfile = tree.get(MARKETPLACE_JSON);
  if (!mfile || !isRegularFile(mfile.mode)) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${label} (${redactCredentials(mirror.url)}) has no ${MARKETPLACE_JSON} at its root`, {
      hint: "add it with --type plain to read its agent files directly, or --type registry if it has registry.json",
    });
  }
  // marketplace.json and every plugin.json in one read
  const jsonBlobs = await readBlobs(dir, [mfile.oid, ...[...tree].filter(([p]) => p.endsWith(PLUGIN_JSON)).map(([, f]) => f.oid)], env);
  const allowLocal = isLocalUrl(mirror.url);
  const market = parseMarketplaceJson(jsonBlobs.get(mfile.oid)?.toString("utf8") ?? "", label, { allowLocal });
  const warnings = [...market.warnings];
  const unsupported: SourceIndex["unsupported"] = dict();
  const dirs = new Set<string>();
  for (const p of tree.keys()) for (const a of ancestors(p)) dirs.add(a);

  const plugins: PluginRef[] = [];
  const externals: (MarketplacePlugin & { external: ExternalSource })[] = [];
  for (const p of market.plugins) {
    if (p.external) {
      externals.push(p as MarketplacePlugin & { external: ExternalSource });
      continue;
    }
    const root = p.roots.find((r) => dirs.has(r));
    const reason = p.unsupported ?? (root === undefined ? `its folder ${p.roots[p.roots.length - 1] || "."} does not exist in the repository` : undefined);
    if (reason !== undefined || root === undefined) {
      unsupported[p.name] = { reason: reason ?? "no folder", url: p.externalUrl };
      warnings.push(`plugin "${p.name}" skipped: ${reason}`);
      continue;
    }
    plugins.push({ name: p.name, root });
  }

  // plugin.json of each plugin at the head
  const pjFile = (p: PluginRef): TreeFile | undefined => tree.get(repoPath(p.root, PLUGIN_JSON)!);
  const manifests = new Map<string, PluginManifest | undefined>();
  for (const p of plugins) {
    const f = pjFile(p);
    if (!f) continue;
    const m = parsePluginJson(jsonBlobs.get(f.oid)?.toString("utf8") ?? "");
    if (!m) warnings.push(`${repoPath(p.root, PLUGIN_JSON)} is not a JSON object; its version and agent paths are ignored`);
    manifests.set(p.name, m);
  }

  // the agents each plugin has at the head. Plugins may share a folder (several entries with source
  // "./" each listing its agents): a file belongs to the first plugin that lists it by name, else to
  // the first whose agents/ folder holds it
  const owners = new Map<string, { plugin: string; oid: string; listed: boolean }>();
  for (const p of plugins) {
    const extra = extraAgentPaths(manifests.get(p.name), market, p.name);
    const listed = agentFiles(tree, p.root, extra, false);
    for (const [path, oid] of agentFiles(tree, p.root, extra)) {
      const owner = owners.get(path);
      if (!owner || (listed.has(path) && !owner.listed)) owners.set(path, { plugin: p.name, oid, listed: listed.has(path) });
    }
  }
  const candidates: { plugin: string; path: string; oid: string }[] = [];
  for (const [path, o] of owners) {
    const size = tree.get(path)?.size ?? 0;
    if (size > MAX_AGENT_BYTES) warnings.push(`${path} is ${size} bytes, over the 1 MiB limit for agent files; skipped`);
    else candidates.push({ plugin: o.plugin, path, oid: o.oid });
  }
  // history does not depend on the agents' names: read both at once
  const [agentBlobs, history] = await Promise.all([
    readBlobs(dir, candidates.map((c) => c.oid), env),
    marketplaceHistory(dir, head, env, plugins, new Set(candidates.map((c) => c.path)), { external: externals.map((p) => p.name), allowLocal }),
  ]);
  const heads: HeadAgent[] = [];
  for (const c of candidates) {
    const blob = agentBlobs.get(c.oid);
    if (blob) headFiles?.set(c.path, blob);
    const id = agentIdentity(blob?.toString("utf8") ?? "", c.path, "", warnings, true);
    if (id) heads.push({ plugin: c.plugin, path: c.path, id });
  }

  const names = await oldAgentNames(dir, env, heads, history.plugins);
  const found: FoundAgent[] = heads.map((h) => {
    const ph = history.plugins.get(h.plugin)!;
    let versions: Record<string, VersionInfo> = {};
    if (ph.version === undefined) {
      versions = commitVersions(history.paths.get(h.path) ?? [], h.path);
    } else {
      for (const seg of ph.past) {
        const path = seg.files.has(h.path) ? h.path : [...seg.files].find(([, oid]) => names.get(oid) === h.id.name)?.[0];
        if (path) versions[seg.version] = { version: seg.version, path, commit: seg.commit };
      }
      versions[ph.version] = { version: ph.version, path: h.path, commit: ph.commit ?? head };
    }
    return { name: h.id.name, qualifier: h.plugin, path: h.path, description: h.id.description, versions };
  });
  const exposed = exposeAgents(found, "plugin", warnings);
  const indexed = await indexPlugins(dir, env, tree, market, plugins, history.plugins, head);
  for (const p of externals) indexed[p.name] = indexExternalPlugin(p, history.external.get(p.name) ?? [], head);
  return { formatVersion: INDEX_FORMAT, kind: "marketplace", key, ...exposed, unsupported, warnings, plugins: indexed };
}

/** Names of the agent files of past versions where an agent was not at its current path (renamed or moved). */
async function oldAgentNames(
  dir: string,
  env: NodeJS.ProcessEnv,
  heads: readonly HeadAgent[],
  plugins: Map<string, { past: { files: Map<string, string> }[] }>,
): Promise<Map<string, string>> {
  const need = new Set<string>();
  for (const h of heads) for (const seg of plugins.get(h.plugin)?.past ?? []) if (!seg.files.has(h.path)) for (const oid of seg.files.values()) need.add(oid);
  const blobs = await readBlobs(dir, need, env);
  const names = new Map<string, string>();
  for (const [oid, buf] of blobs) {
    const id = agentIdentity(buf.toString("utf8"), "", "", [], true);
    if (id) names.set(oid, id.name);
  }
  return names;
}
