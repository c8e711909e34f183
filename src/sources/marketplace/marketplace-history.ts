// When did each plugin of a marketplace change version? One `git log` replayed in memory answers it
// for every plugin at once, with the plugin's agent files as they were at the end of each version.
import { isRegularFile, firstParentLog, readBlobs } from "../../git/history.js";
import { entryKey, MARKETPLACE_JSON, parseMarketplaceJson, parsePluginJson, PLUGIN_JSON, repoPath, type Marketplace, type PluginManifest } from "./marketplace-json.js";

export interface PluginRef {
  name: string;
  /** plugin root in the repo ("" = the repo root) */
  root: string;
}

/** A version's last state: the newest commit that touched the plugin while it had this version. */
export interface Segment {
  version: string;
  commit: string;
  /** agent files (path -> blob id) at that commit */
  files: Map<string, string>;
}

export interface PluginHistory {
  /** versions the plugin had before its current one, oldest first */
  past: Segment[];
  /** current version (undefined: the plugin declares none) */
  version?: string;
  /** newest commit that touched the plugin */
  commit?: string;
  /** every commit that touched the plugin, oldest first (a plugin without versions is versioned by these) */
  commits: { commit: string; time: number }[];
}

export interface PathChange {
  commit: string;
  time: number;
  oid: string;
}

export interface MarketplaceHistory {
  plugins: Map<string, PluginHistory>;
  /** for the watched paths: every commit that changed the file (and left it present), oldest first */
  paths: Map<string, PathChange[]>;
}

/**
 * Agent files of a plugin in a tree: `.md` files under `agents/` (unless `withDefault` is false) and
 * under the extra files or folders that plugin.json or the marketplace entry name.
 */
export function agentFiles(files: Iterable<[string, { oid: string; mode: string }]>, root: string, extra: readonly string[], withDefault = true): Map<string, string> {
  const inRoot = (p: string | undefined): p is string => p !== undefined && (root === "" || p === root || p.startsWith(`${root}/`));
  const prefixes = [...(withDefault ? [repoPath(root, "agents")] : []), ...extra.map((e) => repoPath(root, e))].filter(inRoot);
  const out = new Map<string, string>();
  for (const [p, f] of files) {
    if (!p.endsWith(".md") || !isRegularFile(f.mode)) continue;
    if (prefixes.some((pre) => p === pre || p.startsWith(`${pre}/`))) out.set(p, f.oid);
  }
  return out;
}

export function extraAgentPaths(pj: PluginManifest | undefined, m: Marketplace | undefined, plugin: string): string[] {
  return [...(pj?.agents ?? []), ...(m?.plugins.find((p) => p.name === plugin)?.agents ?? [])];
}

/** "a/b/c.md" -> ["a/b", "a", ""] */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  let i = p.lastIndexOf("/");
  while (i > 0) {
    out.push(p.slice(0, i));
    i = p.lastIndexOf("/", i - 1);
  }
  out.push("");
  return out;
}

export async function marketplaceHistory(
  dir: string,
  head: string,
  env: NodeJS.ProcessEnv,
  plugins: readonly PluginRef[],
  watch: ReadonlySet<string>,
): Promise<MarketplaceHistory> {
  // the plugins' top folders (git matches a few pathspecs much faster than one per plugin); files of
  // other folders in there are ignored below
  const tops = new Set(plugins.map((p) => p.root.split("/")[0]!));
  const pathspecs = tops.has("") ? [] : [MARKETPLACE_JSON, ...[...tops].map((t) => `:(literal)${t}`)];
  const log = await firstParentLog(dir, head, pathspecs, env);
  const byRoot = new Map<string, PluginRef[]>();
  for (const p of plugins) byRoot.set(p.root, [...(byRoot.get(p.root) ?? []), p]);
  const pluginJsonOf = new Map<string, PluginRef[]>();
  for (const p of plugins) {
    const f = repoPath(p.root, PLUGIN_JSON)!;
    pluginJsonOf.set(f, [...(pluginJsonOf.get(f) ?? []), p]);
  }

  // pass 1: every version of marketplace.json and of each plugin.json, read in one go
  const jsonOids = new Set<string>();
  for (const c of log) for (const ch of c.changes) if (ch.oid && (ch.path === MARKETPLACE_JSON || pluginJsonOf.has(ch.path))) jsonOids.add(ch.oid);
  const blobs = await readBlobs(dir, jsonOids, env);
  const markets = new Map<string, Marketplace | undefined>();
  const marketAt = (oid: string): Marketplace | undefined => {
    if (!markets.has(oid)) {
      let m: Marketplace | undefined;
      try {
        m = parseMarketplaceJson(blobs.get(oid)?.toString("utf8") ?? "", "");
      } catch {
        m = undefined; // a broken marketplace.json in history: the previous one stays in force
      }
      markets.set(oid, m);
    }
    return markets.get(oid);
  };

  // pass 2: replay
  const state = new Map<string, { oid: string; mode: string }>();
  let market: Marketplace | undefined;
  const pj = new Map<string, PluginManifest | undefined>();
  const hist = new Map<string, PluginHistory>(plugins.map((p) => [p.name, { past: [], commits: [] }]));
  const paths = new Map<string, PathChange[]>();
  const versionOf = (p: PluginRef, m: Marketplace | undefined, manifest: PluginManifest | undefined) =>
    manifest?.version ?? m?.plugins.find((e) => e.name === p.name)?.version;

  for (const c of log) {
    let nextMarket = market;
    const touched = new Set<PluginRef>();
    const nextPj = new Map<string, PluginManifest | undefined>();
    for (const ch of c.changes) {
      if (ch.path === MARKETPLACE_JSON) nextMarket = ch.oid ? (marketAt(ch.oid) ?? market) : undefined;
      for (const a of ancestors(ch.path)) for (const p of byRoot.get(a) ?? []) touched.add(p);
      for (const p of pluginJsonOf.get(ch.path) ?? []) {
        nextPj.set(p.name, ch.oid ? (parsePluginJson(blobs.get(ch.oid)?.toString("utf8") ?? "") ?? pj.get(p.name)) : undefined);
      }
    }
    if (nextMarket !== market) for (const p of plugins) if (entryKey(market, p.name) !== entryKey(nextMarket, p.name)) touched.add(p);
    for (const p of touched) {
      const h = hist.get(p.name)!;
      const manifest = nextPj.has(p.name) ? nextPj.get(p.name) : pj.get(p.name);
      const version = versionOf(p, nextMarket, manifest);
      if (version !== h.version && h.version !== undefined && h.commit !== undefined) {
        h.past.push({ version: h.version, commit: h.commit, files: agentFiles(state, p.root, extraAgentPaths(pj.get(p.name), market, p.name)) });
      }
      h.version = version;
      h.commit = c.commit;
      h.commits.push({ commit: c.commit, time: c.time });
    }
    for (const ch of c.changes) {
      if (ch.oid) state.set(ch.path, { oid: ch.oid, mode: ch.mode });
      else state.delete(ch.path);
      if (ch.oid && watch.has(ch.path) && isRegularFile(ch.mode)) {
        const list = paths.get(ch.path) ?? [];
        list.push({ commit: c.commit, time: c.time, oid: ch.oid });
        paths.set(ch.path, list);
      }
    }
    market = nextMarket;
    for (const [name, m] of nextPj) pj.set(name, m);
  }
  return { plugins: hist, paths };
}
