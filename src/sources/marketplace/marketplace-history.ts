// When did each plugin of a marketplace change version? One `git log` replayed in memory answers it
// for every plugin at once, with the plugin's agent files as they were at the end of each version.
// Every version of marketplace.json is streamed through one `git cat-file --batch` while the log is
// replayed: only the current and the previous version are held, whatever the length of the history.
import { isRegularFile, firstParentLog, type LoggedCommit } from "../../git/history.js";
import { streamObjects } from "../../git/objects.js";
import {
  entryChanged,
  MARKETPLACE_JSON,
  parsePluginJson,
  PLUGIN_JSON,
  repoPath,
  type ExternalSource,
  type Marketplace,
  type MarketplacePlugin,
  type PluginManifest,
} from "./marketplace-json.js";
import { MarketplaceVersions } from "./marketplace-versions.js";

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

/** One state of a plugin that lives in another repository: its marketplace entry over a span of commits. */
export interface ExternalState {
  source: ExternalSource;
  /** the entry's own version, when it declares one */
  version?: string;
  /** the newest marketplace commit that still had this state (as for the plugin's own versions) */
  commit: string;
  /** when the marketplace set this state (unix seconds) */
  time: number;
}

export interface MarketplaceHistory {
  plugins: Map<string, PluginHistory>;
  /** for the watched paths: every commit that changed the file (and left it present), oldest first */
  paths: Map<string, PathChange[]>;
  /** plugins from other repositories: each distinct entry they had, oldest first */
  external: Map<string, ExternalState[]>;
}

/** marketplace.json versions larger than this are treated as broken (the previous version stays in force). */
const MAX_MARKETPLACE_JSON_BYTES = 64 * 1024 * 1024;
const MAX_PLUGIN_JSON_BYTES = 1024 * 1024;

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
  return [...(pj?.agents ?? []), ...(m?.byName.get(plugin)?.agents ?? [])];
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

/** What makes two states of an external plugin different installs (not its description or category). */
function externalKey(e: MarketplacePlugin): string {
  return JSON.stringify([e.external, e.version, e.components]);
}

/** The pathspecs the log needs: marketplace.json and the plugins' top folders (git matches a few pathspecs much faster than one per plugin). */
function logPathspecs(plugins: readonly PluginRef[]): string[] {
  const tops = new Set(plugins.map((p) => p.root.split("/")[0]!));
  if (tops.has("")) return [];
  return [MARKETPLACE_JSON, ...[...tops].map((t) => `:(literal)${t}`)];
}

/** Every version of the plugins' plugin.json files in history, parsed (they are small and few). */
async function pluginJsonVersions(dir: string, env: NodeJS.ProcessEnv, log: readonly LoggedCommit[], files: ReadonlySet<string>): Promise<Map<string, PluginManifest | undefined>> {
  const oids = new Set<string>();
  for (const c of log) for (const ch of c.changes) if (ch.oid && files.has(ch.path)) oids.add(ch.oid);
  const out = new Map<string, PluginManifest | undefined>();
  await streamObjects(dir, [...oids], env, (_, obj) => {
    if (obj?.type === "blob") out.set(obj.oid, obj.data ? parsePluginJson(obj.data.toString("utf8")) : undefined);
  }, { maxObjectBytes: MAX_PLUGIN_JSON_BYTES });
  return out;
}

export async function marketplaceHistory(
  dir: string,
  head: string,
  env: NodeJS.ProcessEnv,
  plugins: readonly PluginRef[],
  watch: ReadonlySet<string>,
  o: { external?: readonly string[]; allowLocal?: boolean } = {},
): Promise<MarketplaceHistory> {
  const log = await firstParentLog(dir, head, logPathspecs(plugins), env);
  const byRoot = new Map<string, PluginRef[]>();
  for (const p of plugins) byRoot.set(p.root, [...(byRoot.get(p.root) ?? []), p]);
  const pluginJsonOf = new Map<string, PluginRef[]>();
  for (const p of plugins) {
    const f = repoPath(p.root, PLUGIN_JSON)!;
    pluginJsonOf.set(f, [...(pluginJsonOf.get(f) ?? []), p]);
  }
  const manifests = await pluginJsonVersions(dir, env, log, new Set(pluginJsonOf.keys()));

  const state = new Map<string, { oid: string; mode: string }>();
  let market: Marketplace | undefined;
  const pj = new Map<string, PluginManifest | undefined>();
  const hist = new Map<string, PluginHistory>(plugins.map((p) => [p.name, { past: [], commits: [] }]));
  const paths = new Map<string, PathChange[]>();
  const externalNames = o.external ?? [];
  const external = new Map<string, ExternalState[]>(externalNames.map((n) => [n, []]));
  const externalLast = new Map<string, string>();
  let previous: string | undefined; // the commit replayed before the current one
  const versionOf = (p: PluginRef, m: Marketplace | undefined, manifest: PluginManifest | undefined) => manifest?.version ?? m?.byName.get(p.name)?.version;

  /** Replay one commit; `parsed` is its marketplace.json when it changed it (undefined: unreadable, the previous stays). */
  const step = (c: LoggedCommit, parsed: Marketplace | undefined) => {
    let nextMarket = market;
    const touched = new Set<PluginRef>();
    const nextPj = new Map<string, PluginManifest | undefined>();
    for (const ch of c.changes) {
      if (ch.path === MARKETPLACE_JSON) nextMarket = ch.oid ? (parsed ?? market) : undefined;
      for (const a of ancestors(ch.path)) for (const p of byRoot.get(a) ?? []) touched.add(p);
      for (const p of pluginJsonOf.get(ch.path) ?? []) nextPj.set(p.name, ch.oid ? (manifests.get(ch.oid) ?? pj.get(p.name)) : undefined);
    }
    if (nextMarket !== market) {
      for (const p of plugins) if (entryChanged(market, nextMarket, p.name)) touched.add(p);
      for (const name of externalNames) {
        const e = nextMarket?.byName.get(name);
        if (!e?.external || !entryChanged(market, nextMarket, name)) continue;
        const key = externalKey(e);
        if (externalLast.get(name) === key) continue;
        externalLast.set(name, key);
        const states = external.get(name)!;
        if (states.length && previous) states[states.length - 1]!.commit = previous;
        states.push({ source: e.external, version: e.version, commit: c.commit, time: c.time });
      }
    }
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
    previous = c.commit;
  };

  // the commits that changed marketplace.json (to a readable blob), in order: the stream hands their
  // blobs over in the same order, and the replay advances to each as it arrives
  const marketCommits: number[] = [];
  const marketOids: string[] = [];
  log.forEach((c, i) => {
    const ch = c.changes.find((x) => x.path === MARKETPLACE_JSON && x.oid);
    if (ch) {
      marketCommits.push(i);
      marketOids.push(ch.oid!);
    }
  });
  let next = 0;
  const versions = new MarketplaceVersions({ allowLocal: o.allowLocal });
  await streamObjects(dir, marketOids, env, (i, obj) => {
    while (next < marketCommits[i]!) step(log[next++]!, undefined);
    // a broken marketplace.json in history (undefined): the previous one stays in force
    const parsed = obj?.type === "blob" && obj.data ? versions.next(obj.data) : undefined;
    step(log[next++]!, parsed);
  }, { maxObjectBytes: MAX_MARKETPLACE_JSON_BYTES, reuse: true });
  while (next < log.length) step(log[next++]!, undefined);
  // the current state of each holds at the head
  for (const states of external.values()) if (states.length) states[states.length - 1]!.commit = head;
  return { plugins: hist, paths, external };
}
