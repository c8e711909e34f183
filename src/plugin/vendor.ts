// A plugin, vendored into a project so that Claude Code loads from the checkout what its own
// `claude plugin install --scope project` would load (docs/plugins.md):
//   .claude/agentpkg/plugins/<key>/...   every file of the plugin, as published (${CLAUDE_PLUGIN_ROOT})
//   .claude/agents/<key>/<agent>.md      its agents (fields plugin agents may not use are left out)
//   .claude/commands/<name>/<cmd>.md     its commands, listed as <name>:<cmd> like the plugin's own
//   .claude/skills/<skill>/...           its skills, each folder whole
//   .claude/output-styles/<style>.md     its output styles
//   .claude/settings.json  hooks         each hook group, its commands pointed at the plugin's folder
//   .mcp.json              mcpServers    each server, likewise (user scope: ~/.claude.json, see project/shared-hosts.ts)
import type { PartKind } from "../project/lockfile.js";
import { hookFragments, mcpFragments, type Fragment } from "./fragments.js";
import type { PluginFile, PluginLayout } from "./layout.js";
import { pluginFolders, rewritePluginVars, userConfigKeys, type RewriteContext, type VendorScope } from "./rewrite.js";
import { withoutPluginAgentFields } from "./agent-fields.js";

/** One file to write into the project. */
export interface VendoredFile {
  /** where, relative to the project root */
  file: string;
  kind: PartKind;
  /** the part's name as Claude Code shows it (support files: the plugin's key) */
  part: string;
  /** the file it comes from, relative to the plugin root */
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface VendoredPlugin {
  files: VendoredFile[];
  /** hook groups and MCP servers, merged into the project's shared settings files */
  fragments: Fragment[];
  warnings: string[];
}

export interface VendorOptions {
  /** the package key: the plugin's name in the manifest and lock (its marketplace entry's name) */
  key: string;
  /** the namespace of its commands: plugin.json's name, else the key (Claude Code uses plugin.json's) */
  namespace: string;
  /** only these parts (commands, skills or agents by name); undefined: the whole plugin */
  parts?: readonly string[];
  /** the project, or the user's home (--global): how the plugin's folder is named in its files */
  scope: VendorScope;
}

const stem = (rel: string) => rel.replace(/\.md$/, "");

/** The name Claude Code shows a command: its path under the commands folder, `/` as `:`, without `.md`. */
export function commandName(namespace: string, rel: string): string {
  return `${namespace}:${stem(rel).split("/").join(":")}`;
}

export function vendorPlugin(files: ReadonlyMap<string, PluginFile>, layout: PluginLayout, o: VendorOptions): VendoredPlugin {
  const { root } = pluginFolders(o.key);
  const warnings = [...layout.warnings];
  const out: VendoredFile[] = [];
  const wanted = (part: string) => o.parts === undefined || o.parts.includes(part);
  const text = (f: PluginFile, context: RewriteContext): Buffer => {
    const before = f.data.toString("utf8");
    for (const k of userConfigKeys(before)) warnings.push(`${f.path} uses \${user_config.${k}}, a setting only Claude Code's own plugin install asks for; left as is`);
    return Buffer.from(rewritePluginVars(before, o.key, context, o.scope));
  };
  const add = (f: PluginFile, file: string, kind: PartKind, part: string, content: Buffer) => out.push({ file, kind, part, path: f.path, content, executable: f.executable });

  for (const f of files.values()) add(f, `${root}/${f.path}`, "file", o.key, f.data);
  for (const a of layout.agents) {
    const f = files.get(a.path)!;
    const part = stem(a.rel);
    if (!wanted(part)) continue;
    const { text: body, dropped } = withoutPluginAgentFields(text(f, "agent").toString("utf8"));
    if (dropped.length) warnings.push(`${a.path}: ${dropped.join(", ")} left out (Claude Code ignores them in plugin agents)`);
    add(f, `.claude/agents/${o.key}/${a.rel}`, "agent", part, Buffer.from(body));
  }
  for (const c of layout.commands) {
    const name = commandName(o.namespace, c.rel);
    if (!wanted(name) && !wanted(stem(c.rel))) continue;
    add(files.get(c.path)!, `.claude/commands/${o.namespace}/${c.rel}`, "command", name, text(files.get(c.path)!, "command"));
  }
  for (const s of layout.skills) {
    if (!wanted(s.folder)) continue;
    const prefix = s.dir === "" ? "" : `${s.dir}/`;
    for (const f of files.values()) {
      if (!f.path.startsWith(prefix) || (s.dir === "" && f.path !== "SKILL.md")) continue;
      const rel = f.path.slice(prefix.length);
      add(f, `.claude/skills/${s.folder}/${rel}`, "skill", s.folder, rel === "SKILL.md" ? text(f, "skill") : f.data);
    }
  }
  for (const st of layout.outputStyles) {
    if (!wanted(stem(st.rel))) continue;
    add(files.get(st.path)!, `.claude/output-styles/${st.rel}`, "output-style", stem(st.rel), files.get(st.path)!.data);
  }
  // hooks and MCP servers come with the whole plugin only: they are not parts one picks
  const fragments = o.parts === undefined ? [...hookFragments(layout.hooks, o.key, o.scope, warnings), ...mcpFragments(layout.mcpServers, o.key, o.scope, warnings)] : [];
  return { files: out.sort((a, b) => (a.file < b.file ? -1 : 1)), fragments, warnings };
}

/** The parts of a vendored plugin by kind, for messages and listings (support files not counted). */
export function partCounts(v: Pick<VendoredPlugin, "files" | "fragments">): Record<string, number> {
  const counts: Record<string, number> = {};
  const seen = new Set<string>();
  for (const f of [...v.files, ...v.fragments]) {
    const id = `${f.kind}\0${f.part}`;
    if (f.kind === "file" || seen.has(id)) continue;
    seen.add(id);
    counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  }
  return counts;
}
