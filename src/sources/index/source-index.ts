// The listing of a marketplace or plain repository, built from git history once per head commit and
// cached as JSON in the mirror, so a warm listing reads one small file.
import fs from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../util/atomic.js";
import { dict } from "../../util/json.js";
import { READ_LIMITS, tryReadRegularFile } from "../../util/safe-read.js";
import { isValidAgentName } from "../../util/names.js";
import { parseAgent } from "../../agent/parse.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import type { AgentEntry, PluginEntry, VersionInfo } from "../source.js";
import type { ExternalSource } from "../marketplace/marketplace-json.js";

export const INDEX_FORMAT = 4;

export interface SourceIndex {
  formatVersion: number;
  kind: "marketplace" | "plain";
  /** what the index was built from (head commit, plus tags for plain repos) */
  key: string;
  /** installable agents by name: the name field, or `qualifier:name` when several share one name */
  agents: Record<string, AgentEntry>;
  /** `qualifier:name` -> key in agents, for agents whose plain name is unique */
  aliases: Record<string, string>;
  /** plain names defined more than once -> their `qualifier:name` forms */
  ambiguous: Record<string, string[]>;
  /** plugin name -> why it cannot be installed from (and a git url it could be added from instead) */
  unsupported: Record<string, { reason: string; url?: string }>;
  /** what was skipped and why, without the registry's name (the index is shared by every name a url is added under) */
  warnings: string[];
  /** a marketplace's plugins that live in its repository (each version's `path` is the plugin's folder) */
  plugins?: Record<string, IndexedPlugin>;
}

/** A plugin as an index keeps it: what a source lists, plus its folder and what a project cannot get of it. */
export interface IndexedPlugin extends PluginEntry {
  /** its folder in the marketplace repository, or in its own repository (`external`) */
  root: string;
  /** where it lives when not in the marketplace repository (listed from its entry, fetched only when installed) */
  external?: ExternalSource;
  /** parts only Claude Code's own plugin install can give (LSP servers, monitors ...), one line each */
  notes: string[];
}

/** One agent found at the head commit, with the versions history gave it. */
export interface FoundAgent {
  name: string;
  /** plugin name (marketplace) or parent folder (plain repo) */
  qualifier?: string;
  path: string;
  description?: string;
  versions: Record<string, VersionInfo>;
}

export interface AgentIdentity {
  name: string;
  description?: string;
}

const isReadme = (p: string) => /^readme(\.[^/]*)?$/i.test(path.posix.basename(p)) || /^(changelog|contributing|license)\.md$/i.test(path.posix.basename(p));

/**
 * Who a file is, as Claude Code would load it: its `name` field (or, when that cannot be a file name,
 * the file stem). Files that are not agents return undefined; broken agents also add a warning.
 * `expectAgent`: the file sits where agents live (a plugin's agents folder), so no frontmatter is worth a warning.
 */
export function agentIdentity(text: string, file: string, label: string, warnings: string[], expectAgent: boolean): AgentIdentity | undefined {
  if (!isSafeRegistryPath(file)) {
    // git allows a backslash or a control character in a file name; a lockfile path may not hold one
    warnings.push(`${label ? `${label}: ` : ""}${JSON.stringify(file)}: not a plain relative path (backslash or control character); skipped`);
    return undefined;
  }
  const at = label ? `${label}: ${file}` : file;
  const parsed = parseAgent(text);
  const structural = parsed.problems.find((p) => p.code.startsWith("frontmatter-"));
  if (structural?.code === "frontmatter-missing") {
    if (expectAgent && !isReadme(file)) warnings.push(`${at}: ${structural.message}; skipped`);
    return undefined;
  }
  const fm = parsed.frontmatter;
  if (!structural && !expectAgent && !Object.hasOwn(fm, "name") && !Object.hasOwn(fm, "description")) return undefined;
  if (!expectAgent && isReadme(file) && !Object.hasOwn(fm, "name")) return undefined;
  const error = parsed.problems.find((p) => p.severity === "error");
  if (parsed.hasErrors || parsed.name === undefined) {
    warnings.push(`${at}${error?.line ? `:${error.line}` : ""}: ${error?.message ?? "no name field"}; skipped`);
    return undefined;
  }
  if (isValidAgentName(parsed.name)) return { name: parsed.name, description: parsed.description };
  const stem = path.posix.basename(file).replace(/\.md$/, "");
  if (isValidAgentName(stem)) {
    warnings.push(`${at}: name "${parsed.name}" cannot be a file name; listed as "${stem}"`);
    return { name: stem, description: parsed.description };
  }
  warnings.push(`${at}: name "${parsed.name}" cannot be a file name; skipped`);
  return undefined;
}

/**
 * Agents by name. A name defined once is listed plainly (and also answers to `qualifier:name`); a name
 * several plugins or folders define is listed once per definition as `qualifier:name`.
 */
export function exposeAgents(found: FoundAgent[], what: "plugin" | "folder", warnings: string[]): Pick<SourceIndex, "agents" | "aliases" | "ambiguous"> {
  const byName = new Map<string, FoundAgent[]>();
  for (const f of [...found].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const group = byName.get(f.name) ?? [];
    const twin = group.find((g) => g.qualifier === f.qualifier);
    if (twin) {
      warnings.push(`agent "${f.name}" is defined twice${f.qualifier ? ` in ${what} ${f.qualifier}` : ""} (${twin.path}, ${f.path}); using ${twin.path}`);
      continue;
    }
    group.push(f);
    byName.set(f.name, group);
  }
  const agents = dict<AgentEntry>();
  const aliases = dict<string>();
  const ambiguous = dict<string[]>();
  const entry = (name: string, f: FoundAgent): AgentEntry => ({
    name,
    description: f.description,
    versions: dict(f.versions),
    tags: dict(),
    deprecated: null,
    ...(what === "plugin" && f.qualifier ? { plugin: f.qualifier } : {}),
  });
  for (const [name, group] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (group.length === 1) {
      const f = group[0]!;
      agents[name] = entry(name, f);
      if (f.qualifier && isValidAgentName(f.qualifier)) aliases[`${f.qualifier}:${name}`] = name;
      continue;
    }
    const qualified: string[] = [];
    for (const f of group) {
      if (!f.qualifier || !isValidAgentName(f.qualifier)) {
        warnings.push(`agent "${name}" in ${f.path} has the same name as another and no usable ${what} name to tell them apart; skipped`);
        continue;
      }
      const q = `${f.qualifier}:${name}`;
      agents[q] = entry(q, f);
      qualified.push(q);
    }
    ambiguous[name] = qualified;
    warnings.push(`agent "${name}" is defined by several ${what}s; install it as ${qualified.join(" or ")}`);
  }
  return { agents, aliases, ambiguous };
}

function indexFile(mirrorDir: string, kind: string, key: string): string {
  return path.join(mirrorDir, `agentpkg-index-${kind}-${key}.json`);
}

/** The cached index for `key`, or undefined (missing, unreadable or of another format). */
export async function readCachedIndex(mirrorDir: string, kind: SourceIndex["kind"], key: string): Promise<SourceIndex | undefined> {
  try {
    const r = tryReadRegularFile(indexFile(mirrorDir, kind, key), { limit: READ_LIMITS.registryIndex });
    if (!r.ok) return undefined;
    const idx = JSON.parse(r.data.toString("utf8")) as SourceIndex;
    return idx.formatVersion === INDEX_FORMAT && idx.kind === kind && idx.key === key ? withoutPrototypes(idx) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON.parse gives its records Object.prototype: every record looked up by a name gets none (see dict). */
function withoutPrototypes(idx: SourceIndex): SourceIndex {
  const agents = dict<AgentEntry>();
  for (const [name, a] of Object.entries(idx.agents)) agents[name] = { ...a, versions: dict(a.versions), tags: dict(a.tags) };
  return { ...idx, agents, aliases: dict(idx.aliases), ambiguous: dict(idx.ambiguous), unsupported: dict(idx.unsupported) };
}

/** Store an index, dropping the ones of older heads. */
export async function writeCachedIndex(mirrorDir: string, idx: SourceIndex): Promise<void> {
  const keep = path.basename(indexFile(mirrorDir, idx.kind, idx.key));
  for (const f of await fs.readdir(mirrorDir).catch(() => [] as string[])) {
    if (f.startsWith(`agentpkg-index-${idx.kind}-`) && f !== keep) await fs.rm(path.join(mirrorDir, f), { force: true });
  }
  await writeFileAtomic(path.join(mirrorDir, keep), JSON.stringify(idx), { durable: false }); // checked when read; a crash only costs a rebuild
}
