import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { closeMatchesAcross } from "../util/suggest.js";
import { isValidAgentName } from "../util/names.js";
import type { PluginLock } from "../project/lockfile.js";
import type { Dependency } from "../project/manifest.js";
import { pluginLayout } from "../plugin/layout.js";
import { vendorPlugin, type VendoredPlugin } from "../plugin/vendor.js";
import { noVersionMatches, resolveVersionIn, versionStillMatches } from "../sources/resolve.js";
import type { PluginEntry, Source, VersionInfo } from "../sources/source.js";
import type { Context } from "./context.js";
import type { Registries } from "../sources/registries.js";
import { stickyRegistry } from "./resolve-agent.js";

export interface ResolvedPlugin {
  lock: PluginLock;
  vendored: VendoredPlugin;
  source: Source;
  entry: PluginEntry;
}

/** The registries a plugin is looked up in: the pinned one, or every configured one in order. */
/** A plugin in the pinned registry, or the first configured one listing it (fetched once more on a miss). */
export async function findPlugin(registries: Registries, name: string, registry?: string): Promise<{ source: Source; plugin: PluginEntry } | null> {
  const names = registry ? [registries.ref(registry).name] : registries.refs.map((r) => r.name);
  for (const refresh of [false, true]) {
    for (const n of names) {
      const source = refresh ? await registries.refreshed(n) : await registries.get(n);
      const plugin = source?.getPlugin ? await source.getPlugin(name) : null;
      if (source && plugin) return { source, plugin };
    }
  }
  return null;
}

/** Every plugin the configured registries list, by name (for "did you mean" and for `install NAME`). */
export async function pluginNames(ctx: Context, registry?: string): Promise<{ name: string; registry: string }[]> {
  const out: { name: string; registry: string }[] = [];
  for (const ref of registry ? [ctx.registries.ref(registry)] : ctx.registries.refs) {
    const source = await ctx.registries.get(ref.name);
    for (const p of (await source.listPlugins?.()) ?? []) out.push({ name: p.name, registry: source.name });
  }
  return out;
}

/** name + range (+ registry, + parts) -> the exact plugin version, read and vendored, as the lock will record it. */
export async function resolvePlugin(ctx: Context, name: string, dep: Dependency, locked?: { registry: string }): Promise<ResolvedPlugin> {
  const registry = stickyRegistry(ctx.registries, dep, locked);
  const found = await findPlugin(ctx.registries, name, registry);
  if (!found) {
    const close = closeMatchesAcross(name, await pluginNames(ctx, registry));
    throw new AgentpkgError("E_NOT_FOUND", `plugin "${name}" not found in ${registry ? `registry ${registry}` : "any configured registry"}`, {
      hint: close.length ? `did you mean ${close.join(", ")}?` : "add its marketplace with agentpkg registry add NAME URL, then agentpkg search",
    });
  }
  const version = await resolveVersionIn(found.source, { ...found.plugin, name }, dep.range);
  const resolved = await materializePlugin(ctx, found.source, found.plugin, name, version, { parts: dep.parts });
  if (!versionStillMatches(version, resolved.lock.version, dep.range)) throw noVersionMatches(found.plugin, name, dep.range, found.source.name, resolved.lock.version);
  for (const w of resolved.vendored.warnings) ctx.notes.push(`plugin ${name}: ${w}`);
  if (found.plugin.deprecated) ctx.notes.push(`plugin ${name} is deprecated: ${found.plugin.deprecated}`);
  return resolved;
}

/**
 * One version of a plugin as files for the project: read from its source (at `commit` when given: a lock's),
 * vendored, each file's and entry's bytes kept for the plan (and the store), and the lock record made.
 */
export async function materializePlugin(
  ctx: Context,
  source: Source,
  entry: PluginEntry,
  name: string,
  v: VersionInfo,
  o: { commit?: string | null; parts?: readonly string[] } = {},
): Promise<ResolvedPlugin> {
  if (!source.readPlugin) throw new AgentpkgError("E_NOT_FOUND", `registry ${source.name} holds no plugins (it is a ${source.kind})`);
  const content = await source.readPlugin(name, v, o.commit);
  const namespace = content.pluginJson?.name && isValidAgentName(content.pluginJson.name) ? content.pluginJson.name : name;
  const layout = pluginLayout(content.files, content.pluginJson, content.entry, name);
  const vendored = vendorPlugin(content.files, layout, { key: name, namespace, parts: o.parts, scope: ctx.scope });
  vendored.warnings.unshift(...content.warnings);
  if (o.parts) checkParts(name, o.parts, vendored);
  const files: PluginLock["files"] = {};
  for (const f of [...vendored.files, ...vendored.fragments]) {
    const sha = sha256(f.content);
    ctx.pristine.set(sha, f.content);
    files[f.file] = { kind: f.kind, part: f.part, path: f.path, sha256: sha, ...("executable" in f && f.executable ? { executable: true } : {}) };
  }
  const lock: PluginLock = {
    version: content.version ?? v.version,
    registry: source.name,
    url: source.url,
    commit: o.commit ?? v.commit ?? source.commit,
    root: content.root,
    ...(content.origin ? { origin: content.origin } : {}),
    ...(o.parts ? { parts: [...o.parts].sort() } : {}),
    files,
  };
  return { lock, vendored, source, entry };
}

/** install PLUGIN:PART: every part named must exist in the plugin. */
function checkParts(name: string, parts: readonly string[], v: VendoredPlugin): void {
  const found = new Set(v.files.filter((f) => f.kind !== "file").map((f) => f.part));
  // a command is also named without its namespace: `install demo:greet` asks for the part demo:greet
  const missing = parts.filter((p) => !found.has(p) && ![...found].some((f) => f.endsWith(`:${p}`)));
  if (missing.length) {
    throw new AgentpkgError("E_NOT_FOUND", `plugin ${name} has no part named ${missing.join(", ")}`, {
      hint: `its parts: ${[...found].sort().join(", ") || "none"}`,
    });
  }
}
