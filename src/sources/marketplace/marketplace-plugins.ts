// The plugins of a marketplace as whole packages: their versions (from history, like their agents'), their
// parts at the head (for listings), and the files of one version (for installing it).
import { AgentpkgError } from "../../util/errors.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import { MAX_PLUGIN_FILE_BYTES, MAX_PLUGIN_FILES, MAX_PLUGIN_BYTES } from "../../util/limits.js";
import { git, runGit } from "../../git/run.js";
import { isRegularFile, type TreeFile } from "../../git/history.js";
import { readBlobs } from "../../git/objects.js";
import { noEntryComponents, pluginLayout, type EntryComponents, type PluginFile } from "../../plugin/layout.js";
import { parsePluginJson, PLUGIN_JSON } from "../../plugin/plugin-json.js";
import { commandName } from "../../plugin/vendor.js";
import { isValidAgentName } from "../../util/names.js";
import { commitVersions } from "../history/git-versions.js";
import type { IndexedPlugin } from "../index/source-index.js";
import type { PluginContent, VersionInfo } from "../source.js";
import type { PluginHistory } from "./marketplace-history.js";
import { MARKETPLACE_JSON, parseMarketplaceJson, type Marketplace, type MarketplacePlugin } from "./marketplace-json.js";

/** The files of a folder in a tree, by their path below it (other plugins' folders inside it left out). */
export function filesUnder<T>(tree: ReadonlyMap<string, T>, root: string, exclude: readonly string[]): Map<string, T> {
  const prefix = root === "" ? "" : `${root}/`;
  const others = exclude.filter((r) => r !== root && (root === "" || r.startsWith(prefix))).map((r) => `${r}/`);
  const out = new Map<string, T>();
  for (const [p, f] of tree) {
    if (!p.startsWith(prefix) || others.some((o) => p.startsWith(o))) continue;
    const rel = p.slice(prefix.length);
    if (rel.split("/").some((seg) => seg === ".git")) continue;
    out.set(rel, f);
  }
  return out;
}

/** A plugin's parts by kind, from its layout (hook groups and servers counted one by one). */
export function layoutCounts(layout: ReturnType<typeof pluginLayout>): Record<string, number> {
  const hooks = layout.hooks.reduce((n, s) => n + Object.values(s.map).reduce((m: number, g) => m + (Array.isArray(g) ? g.length : 0), 0), 0);
  const mcp = layout.mcpServers.reduce((n, s) => n + Object.keys(s.map).length, 0);
  const counts: Record<string, number> = { agent: layout.agents.length, command: layout.commands.length, skill: layout.skills.length, "output-style": layout.outputStyles.length, hook: hooks, mcp };
  for (const k of Object.keys(counts)) if (counts[k] === 0) delete counts[k];
  return counts;
}

/**
 * Index entries of a marketplace's in-repository plugins: versions from history (a plugin without any
 * version gets one prerelease per commit that touched it), parts and notes from the head's files.
 */
export async function indexPlugins(
  dir: string,
  env: NodeJS.ProcessEnv,
  tree: ReadonlyMap<string, TreeFile>,
  market: Marketplace,
  plugins: readonly { name: string; root: string }[],
  history: ReadonlyMap<string, PluginHistory>,
  head: string,
): Promise<Record<string, IndexedPlugin>> {
  const roots = plugins.map((p) => p.root);
  // the JSON files a layout reads (plugin.json, hooks, MCP configs) of every plugin, in one read
  const jsonOids = [...tree].filter(([p, f]) => p.endsWith(".json") && f.size <= MAX_PLUGIN_FILE_BYTES).map(([, f]) => f.oid);
  const blobs = await readBlobs(dir, jsonOids, env);
  const out: Record<string, IndexedPlugin> = {};
  for (const p of plugins) {
    const h = history.get(p.name);
    const entry = market.byName.get(p.name);
    const files = new Map<string, PluginFile>();
    for (const [rel, f] of filesUnder(tree, p.root, roots)) files.set(rel, { path: rel, executable: f.mode === "100755", data: rel.endsWith(".json") ? (blobs.get(f.oid) ?? Buffer.alloc(0)) : Buffer.alloc(0) });
    const pj = files.has(PLUGIN_JSON) ? parsePluginJson(files.get(PLUGIN_JSON)!.data.toString("utf8")) : undefined;
    let counts: Record<string, number> = {};
    let notes: string[] = [];
    let commands: string[] = [];
    try {
      const layout = pluginLayout(files, pj, entry?.components ?? noEntryComponents(), p.name);
      counts = layoutCounts(layout);
      notes = layout.warnings;
      const namespace = pj?.name && isValidAgentName(pj.name) ? pj.name : p.name; // as vendoring names them
      commands = layout.commands.map((c) => commandName(namespace, c.rel)).sort();
    } catch (err) {
      if (!(err instanceof AgentpkgError)) throw err;
      notes = [err.message];
    }
    const versions: Record<string, VersionInfo> = {};
    if (h?.version === undefined) Object.assign(versions, commitVersions(h?.commits ?? [], p.root));
    else {
      for (const seg of h.past) versions[seg.version] = { version: seg.version, path: p.root, commit: seg.commit };
      versions[h.version] = { version: h.version, path: p.root, commit: h.commit ?? head };
    }
    out[p.name] = { name: p.name, description: entry?.description ?? pj?.description, versions, tags: {}, deprecated: null, parts: counts, commands, root: p.root, notes };
  }
  return out;
}

/** A tree listing's files below `root` at a commit, as `ls-tree -r -l -z` gives them (literal path). */
async function treeAt(dir: string, commit: string, root: string, env: NodeJS.ProcessEnv): Promise<Map<string, TreeFile & { type: string }>> {
  const args = ["--literal-pathspecs", "ls-tree", "-r", "-l", "-z", "--full-tree", commit, ...(root === "" ? [] : ["--", root])];
  const out = (await runGit(args, { cwd: dir, env })).toString("utf8");
  const files = new Map<string, TreeFile & { type: string }>();
  for (const rec of out.split("\0")) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t([\s\S]+)$/.exec(rec);
    if (m) files.set(m[5]!, { mode: m[1]!, type: m[2]!, oid: m[3]!, size: m[4] === "-" ? 0 : Number(m[4]) });
  }
  return files;
}

/**
 * One version of a plugin, read from a mirror: every regular file below its folder (symlinks and
 * submodules are never followed: each is skipped with a warning), within the size limits, plus its
 * plugin.json and what its marketplace entry (at the same commit) adds.
 */
export async function readPluginAt(
  dir: string,
  env: NodeJS.ProcessEnv,
  o: { registry: string; plugin: string; commit: string; root: string; exclude: readonly string[]; entry?: EntryComponents },
): Promise<PluginContent> {
  const label = `${o.registry}: plugin ${o.plugin}`;
  const tree = filesUnder(await treeAt(dir, o.commit, o.root, env), o.root, o.exclude);
  if (tree.size === 0) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${label} has no files in ${o.root || "the repository root"} at commit ${o.commit.slice(0, 12)}`, {
      hint: "its history was rewritten or the plugin moved; run agentpkg upgrade to pick a version that exists",
    });
  }
  const warnings: string[] = [];
  const wanted: [string, TreeFile][] = [];
  let total = 0;
  for (const [rel, f] of tree) {
    if (!isSafeRegistryPath(rel)) warnings.push(`${label}: ${JSON.stringify(rel)} is not a plain file name; skipped`);
    else if ((f as { type: string }).type !== "blob" || !isRegularFile(f.mode)) warnings.push(`${label}: ${rel} is a symlink or submodule; skipped (never followed)`);
    else if (f.size > MAX_PLUGIN_FILE_BYTES) throw tooLarge(label, `${rel} is ${f.size} bytes, over the ${MAX_PLUGIN_FILE_BYTES}-byte limit for one file`);
    else {
      wanted.push([rel, f]);
      total += f.size;
    }
  }
  if (wanted.length > MAX_PLUGIN_FILES) throw tooLarge(label, `it has ${wanted.length} files, over the limit of ${MAX_PLUGIN_FILES}`);
  if (total > MAX_PLUGIN_BYTES) throw tooLarge(label, `it holds ${total} bytes, over the ${MAX_PLUGIN_BYTES}-byte limit`);
  const blobs = await readBlobs(dir, wanted.map(([, f]) => f.oid), env);
  const files = new Map<string, PluginFile>();
  for (const [rel, f] of wanted) {
    const data = blobs.get(f.oid);
    if (!data) throw new AgentpkgError("E_REGISTRY_INVALID", `${label}: ${rel} could not be read at commit ${o.commit.slice(0, 12)}`);
    files.set(rel, { path: rel, executable: f.mode === "100755", data });
  }
  const pjFile = files.get(PLUGIN_JSON);
  const pluginJson = pjFile ? parsePluginJson(pjFile.data.toString("utf8")) : undefined;
  if (pjFile && !pluginJson) warnings.push(`${label}: ${PLUGIN_JSON} is not a JSON object; its fields are ignored`);
  return { files, pluginJson, entry: o.entry ?? (await marketplaceEntryAt(dir, env, o.commit, o.plugin))?.components ?? noEntryComponents(), commit: o.commit, root: o.root, warnings };
}

function tooLarge(label: string, why: string): AgentpkgError {
  return new AgentpkgError("E_UNSAFE", `${label} is too large to install: ${why}`, { hint: "install its agents one by one (agentpkg install PLUGIN:AGENT), or ask its maintainers to slim it down" });
}

/** A plugin's marketplace entry as marketplace.json had it at a commit (undefined: no such entry, or no readable file). */
export async function marketplaceEntryAt(dir: string, env: NodeJS.ProcessEnv, commit: string, plugin: string, allowLocal = false): Promise<MarketplacePlugin | undefined> {
  const text = await git(["cat-file", "blob", `${commit}:${MARKETPLACE_JSON}`], { cwd: dir, env }).catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseMarketplaceJson(text, "", { allowLocal }).byName.get(plugin);
  } catch {
    return undefined;
  }
}
