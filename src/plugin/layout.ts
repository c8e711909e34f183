// Which files of a plugin are its agents, commands, skills, output styles, hooks and MCP servers: Claude
// Code's rules (observed on 2.1.197, docs/plugins.md), as a pure function of the plugin's files, its
// plugin.json and its marketplace entry.
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { isPlainObject } from "../util/json.js";
import { repoPath } from "../util/safe-path.js";
import { emptyComponents, PLUGIN_JSON, type Components, type PluginJson } from "./plugin-json.js";

/** One file of a plugin, by its path relative to the plugin's root ("/"-separated). */
export interface PluginFile {
  path: string;
  executable: boolean;
  data: Buffer;
}

/** A component file and its path below the folder that holds it (its name in Claude Code's terms). */
export interface Placed {
  path: string;
  /** path under its component folder, e.g. `sub/deep.md` for `commands/sub/deep.md`, or the file name */
  rel: string;
}

export interface Skill {
  /** the skill's identity: its folder's name */
  folder: string;
  /** the folder, relative to the plugin root ("" for a SKILL.md at the root) */
  dir: string;
}

/** A hooks map (`{Event: [group...]}`) or an MCP servers map, and the file it came from (for messages). */
export interface ConfigSource {
  where: string;
  map: Record<string, unknown>;
}

export interface PluginLayout {
  agents: Placed[];
  commands: Placed[];
  skills: Skill[];
  outputStyles: Placed[];
  hooks: ConfigSource[];
  mcpServers: ConfigSource[];
  /** what a project cannot give Claude Code (LSP servers, monitors ...), and configs that could not be read */
  warnings: string[];
}

/** The marketplace entry's view: `strict: false` entries may define components themselves. */
export interface EntryComponents extends Components {
  strict: boolean;
}

export function noEntryComponents(): EntryComponents {
  return { ...emptyComponents(), strict: true };
}

const isMd = (p: string) => p.endsWith(".md");

/** Files under a component root: the root itself when it is a file, else every file below it. */
function under(files: ReadonlyMap<string, PluginFile>, root: string, keep: (p: string) => boolean): Placed[] {
  if (files.has(root)) return keep(root) ? [{ path: root, rel: path.posix.basename(root) }] : [];
  const prefix = root === "" ? "" : `${root}/`;
  const out: Placed[] = [];
  for (const p of files.keys()) if (p.startsWith(prefix) && keep(p)) out.push({ path: p, rel: p.slice(prefix.length) });
  return out;
}

function roots(list: readonly string[], label: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const p = repoPath(raw);
    if (p === undefined) warnings.push(`${label} path "${raw}" leaves the plugin; ignored`);
    else out.push(p);
  }
  return out;
}

/** Component files of one kind: the manifest's paths (replacing the default folder) or the default, plus the entry's. */
function componentFiles(files: ReadonlyMap<string, PluginFile>, defaults: string, own: string[] | undefined, entry: string[], warnings: string[], label: string): Placed[] {
  const seen = new Set<string>();
  const out: Placed[] = [];
  for (const root of [...(own ?? [defaults]), ...roots(entry, label, warnings)]) {
    for (const f of under(files, root, isMd)) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push(f);
    }
  }
  return out;
}

function skills(files: ReadonlyMap<string, PluginFile>, pj: PluginJson | undefined, entry: EntryComponents, pluginName: string, warnings: string[]): Skill[] {
  const declared = [...roots(pj?.skills ?? [], "skills", warnings), ...roots(entry.skills, "skills", warnings)];
  const out = new Map<string, Skill>();
  const add = (dir: string) => {
    const folder = dir === "" ? pluginName : path.posix.basename(dir);
    if (!out.has(dir)) out.set(dir, { folder, dir });
  };
  const hasSkillsDir = [...files.keys()].some((p) => p.startsWith("skills/"));
  for (const root of ["skills", ...declared]) {
    if (files.has(root === "" ? "SKILL.md" : `${root}/SKILL.md`)) {
      add(root);
      continue;
    }
    // one level down: <root>/<skill>/SKILL.md (nested skills are not loaded)
    const prefix = root === "" ? "" : `${root}/`;
    for (const p of files.keys()) {
      const rest = p.startsWith(prefix) ? p.slice(prefix.length).split("/") : [];
      if (rest.length === 2 && rest[1] === "SKILL.md") add(`${prefix}${rest[0]}`);
    }
  }
  // a SKILL.md at the root is the plugin's one skill when nothing else says where skills are
  if (!hasSkillsDir && declared.length === 0 && files.has("SKILL.md")) add("");
  return [...out.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

function parseJsonObject(file: PluginFile, warnings: string[]): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(file.data.toString("utf8"));
    if (isPlainObject(v)) return v;
  } catch {
    // reported below
  }
  warnings.push(`${file.path} is not a JSON object; ignored`);
  return undefined;
}

/**
 * Hook and MCP configs: the default file (`hooks/hooks.json`, `.mcp.json`: a wrapper object holding the map
 * under `key`), files the manifests name (same wrapper), and inline maps (the bare map).
 */
function configs(files: ReadonlyMap<string, PluginFile>, defaultFile: string, key: string, listed: readonly (string | Record<string, unknown>)[], warnings: string[]): ConfigSource[] {
  const out: ConfigSource[] = [];
  const fromFile = (p: string | undefined, raw: string) => {
    const f = p === undefined ? undefined : files.get(p);
    if (!f) return void warnings.push(`${raw} (named for ${key}) does not exist in the plugin; ignored`);
    const obj = parseJsonObject(f, warnings);
    const map = obj && (isPlainObject(obj[key]) ? obj[key] : key === "mcpServers" ? obj : undefined);
    if (isPlainObject(map)) out.push({ where: f.path, map });
    else if (obj) warnings.push(`${f.path} has no "${key}" object; ignored`);
  };
  const seen = new Set<string>();
  if (files.has(defaultFile)) {
    seen.add(defaultFile);
    fromFile(defaultFile, defaultFile);
  }
  for (const item of listed) {
    if (typeof item !== "string") out.push({ where: PLUGIN_JSON, map: item });
    else {
      const p = repoPath(item);
      if (p !== undefined && seen.has(p)) continue;
      if (p !== undefined) seen.add(p);
      fromFile(p, item);
    }
  }
  return out;
}

/**
 * The components of a plugin, as Claude Code would load them. plugin.json's `agents`, `commands` and
 * `outputStyles` replace the default folders; its `skills` add to `skills/`; the marketplace entry's
 * components always add. A `strict: false` entry that defines components next to a plugin.json that also
 * does is refused, as Claude Code refuses to load it.
 */
export function pluginLayout(files: ReadonlyMap<string, PluginFile>, pj: PluginJson | undefined, entry: EntryComponents, pluginName: string): PluginLayout {
  const warnings: string[] = [];
  const entryDefines = entry.agents.length + entry.commands.length + entry.skills.length + entry.outputStyles.length + entry.hooks.length + entry.mcpServers.length > 0;
  if (!entry.strict && entryDefines && pj && pj.declared.size > 0) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `plugin ${pluginName}: both its plugin.json and its marketplace entry (strict: false) define components`, {
      hint: "Claude Code refuses to load such a plugin (conflicting manifests); its maintainers must keep the components in one place",
    });
  }
  const own = (k: "agents" | "commands" | "outputStyles") => (pj?.declared.has(k) ? roots(pj[k], k, warnings) : undefined);
  const layout: PluginLayout = {
    agents: componentFiles(files, "agents", own("agents"), entry.agents, warnings, "agents"),
    commands: componentFiles(files, "commands", own("commands"), entry.commands, warnings, "commands"),
    skills: skills(files, pj, entry, pluginName, warnings),
    outputStyles: componentFiles(files, "output-styles", own("outputStyles"), entry.outputStyles, warnings, "outputStyles"),
    hooks: configs(files, "hooks/hooks.json", "hooks", [...(pj?.hooks ?? []), ...entry.hooks], warnings),
    mcpServers: configs(files, ".mcp.json", "mcpServers", [...(pj?.mcpServers ?? []), ...entry.mcpServers], warnings),
    warnings,
  };
  for (const field of pj?.projectless ?? []) warnings.push(`its plugin.json sets "${field}", which only Claude Code's own plugin install honours; left out`);
  if ([...files.keys()].some((p) => p.startsWith("bin/"))) warnings.push("its bin/ folder (added to PATH by Claude Code's own plugin install) is copied but not put on PATH");
  if (files.has(".lsp.json")) warnings.push("its LSP servers (.lsp.json) load only through Claude Code's own plugin install; left out");
  if (files.has("monitors/monitors.json")) warnings.push("its monitors load only through Claude Code's own plugin install; left out");
  return layout;
}
