// diff for a plugin: each of its files (and hook / MCP server entries) that differs, against the pristine
// installed version, or (--upstream) against the version `upgrade` would install.
import { AgentpkgError } from "../../util/errors.js";
import { own, stableJson } from "../../util/json.js";
import { unifiedDiff } from "../../util/text-diff.js";
import { sha256 } from "../../util/hash.js";
import { contentOf } from "../../project/lock-plugins.js";
import { pluginFiles, type PartKind } from "../../project/lockfile.js";
import { readTarget } from "../../project/plugin-disk.js";
import type { Context } from "../../change/context.js";
import { loadPristine } from "../../change/content.js";
import { resolvePlugin } from "../../change/resolve-plugin.js";
import { diffableText } from "./plugin-read.js";

export interface FileDiff {
  /** the package's name (an agent's, or the plugin's for each of its files) */
  name: string;
  type: "agent" | "plugin";
  /** what the file is to Claude Code ("agent" for an agent's file) */
  kind: PartKind;
  /** the part's name (the agent's own name for an agent) */
  part: string;
  /** the file, or `<shared file>#<key>` for a plugin's hook group or MCP server */
  file: string;
  /** the locked version (plain diff) or the version upgrade would install (--upstream) */
  version: string;
  /** the locked version */
  installed: string;
  /** the local file is missing (diffed as empty) */
  missing: boolean;
  /** unified diff; "" when there is no difference */
  diff: string;
}

export interface PluginDiffs {
  diffs: FileDiff[];
  installed: string;
  /** the version diffed against: the installed one, or the one upgrade would install */
  version: string;
}

/** A unified diff of two versions of a file (null: absent, diffed as empty); binary content is only said to differ. */
export function contentDiff(before: Buffer | null, after: Buffer | null, kind: PartKind, oldLabel: string, newLabel: string): string {
  const a = before && diffableText(before, kind);
  const b = after && diffableText(after, kind);
  if ((before && a === null) || (after && b === null)) return `Binary files ${oldLabel} and ${newLabel} differ\n`;
  return unifiedDiff(a ?? "", b ?? "", { oldLabel, newLabel });
}

/** Each locked file of the plugin that is not as written, pristine -> local (one at a time: the pristine plugin is read once). */
export async function pluginLocalDiffs(ctx: Context, name: string): Promise<PluginDiffs> {
  const p = ctx.files.lock.plugins[name]!;
  const diffs: FileDiff[] = [];
  for (const f of pluginFiles(name, p).sort((a, b) => (a.file < b.file ? -1 : 1))) {
    const local = await readTarget(ctx.scope, f.file);
    if (local && sha256(local) === f.sha256) continue;
    const pristine = await loadPristine(ctx, f);
    const diff = contentDiff(pristine, local, f.kind, `${f.file} (${name}@${f.version})`, local ? f.file : `${f.file} (deleted)`);
    if (diff) diffs.push({ name, type: "plugin", kind: f.kind, part: f.part, file: f.file, version: f.version, installed: f.version, missing: local === null, diff });
  }
  return { diffs, installed: p.version, version: p.version };
}

/**
 * Each file that would change in an upgrade, local -> upstream: files the new version adds, changes or drops.
 * null when the plugin has no upgrade pending and was not named (or is not in the manifest).
 */
export async function pluginUpstreamDiffs(ctx: Context, name: string, always: boolean): Promise<PluginDiffs | null> {
  const locked = ctx.files.lock.plugins[name]!;
  const dep = own(ctx.files.manifest.plugins, name);
  if (!dep) {
    if (!always) return null;
    throw new AgentpkgError("E_NOT_FOUND", `plugin ${name} is in the lockfile but not in .claude/agentpkg.json, so it has no upgrade`, {
      hint: `add it back with agentpkg install --plugin ${name}, or drop it with agentpkg remove --plugin ${name}`,
    });
  }
  const target = (await resolvePlugin(ctx, name, dep, locked)).lock;
  const pending = target.version !== locked.version || stableJson(contentOf(target)) !== stableJson(contentOf(locked));
  if (!pending && !always) return null;
  const diffs: FileDiff[] = [];
  const files = [...new Set([...Object.keys(locked.files), ...Object.keys(target.files)])].sort();
  for (const file of files) {
    const mine = own(locked.files, file);
    const theirs = own(target.files, file);
    const local = await readTarget(ctx.scope, file);
    const upstream = theirs ? (ctx.pristine.get(theirs.sha256) ?? null) : null;
    if (local === upstream || (local && upstream && local.equals(upstream))) continue;
    const kind = (theirs ?? mine)!.kind;
    const oldLabel = local ? file : `${file} (${mine ? "deleted" : "not installed"})`;
    const newLabel = `${file} (${name}@${target.version}${theirs ? "" : ": removed"})`;
    const diff = contentDiff(local, upstream, kind, oldLabel, newLabel);
    if (diff) diffs.push({ name, type: "plugin", kind, part: (theirs ?? mine)!.part, file, version: target.version, installed: locked.version, missing: local === null, diff });
  }
  return { diffs, installed: locked.version, version: target.version };
}
