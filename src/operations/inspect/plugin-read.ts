// What status, outdated and diff need of installed plugins: a plugin's entry in the registries (its versions
// only, never its files), and the pristine and local text of a locked file or shared-file entry, fit to diff.
import { own } from "../../util/json.js";
import { pluginFiles, type LockedFile, type PluginLock } from "../../project/lockfile.js";
import type { Dependency } from "../../project/manifest.js";
import { readTarget } from "../../project/plugin-disk.js";
import { sourceForEntry, type Registries } from "../../sources/registries.js";
import type { PluginEntry, Source } from "../../sources/source.js";
import type { Context } from "../../change/context.js";
import { findPlugin } from "../../change/resolve-plugin.js";
import { loadPristine } from "../../change/content.js";

/**
 * A plugin's entry in the registry `registry` (for `upgrade`'s view, pass change/resolve-agent's
 * stickyRegistry), else in every configured one in order (a cached copy that misses is fetched again once).
 * null when none lists it.
 */

/** outdated's view: the registry a plugin was locked from, else where upgrade would look it up. */
export async function lockedPluginEntry(registries: Registries, name: string, dep: Dependency, locked: PluginLock | undefined): Promise<{ source: Source | null; plugin: PluginEntry | null }> {
  if (locked) {
    const source = await sourceForEntry(registries, locked);
    return { source, plugin: (await source.getPlugin?.(name)) ?? null };
  }
  const found = await findPlugin(registries, name, dep.registry);
  return found ?? { source: null, plugin: null };
}

/** The locked files of a plugin, with the plugin's coordinates, by project file (or entry). */
export function lockedPluginFiles(ctx: Context, name: string): Map<string, LockedFile> {
  const p = own(ctx.files.lock.plugins, name);
  return new Map(p ? pluginFiles(name, p).map((f) => [f.file, f]) : []);
}

/**
 * Text fit for a line diff, or null for binary content. A shared-file entry (hook group, MCP server) is
 * kept as one line of canonical JSON: it is shown indented instead, so a diff points at the changed field.
 */
export function diffableText(content: Buffer, kind: string): string | null {
  if (kind === "hook" || kind === "mcp") {
    try {
      return JSON.stringify(JSON.parse(content.toString("utf8")), null, 2) + "\n";
    } catch {
      return content.toString("utf8");
    }
  }
  return content.includes(0) ? null : content.toString("utf8");
}

/** A locked target's pristine bytes and its bytes now (null: missing). */
export async function pristineAndLocal(ctx: Context, f: LockedFile): Promise<{ pristine: Buffer; local: Buffer | null }> {
  const local = await readTarget(ctx.scope, f.file);
  return { pristine: await loadPristine(ctx, f), local };
}
