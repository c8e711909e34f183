import { AgentpkgError } from "../../util/errors.js";
import type { Deps } from "../../util/deps.js";
import { unifiedDiff } from "../../util/text-diff.js";
import { readAgentFile } from "../../project/agents-dir.js";
import type { LockEntry } from "../../project/lockfile.js";
import { parseSpec } from "../../sources/spec.js";
import { openContext, type CommonOptions, type Context } from "../../change/context.js";
import { loadPristine } from "../../change/content.js";
import { resolveAgent } from "../../change/resolve-agent.js";
import { own } from "../../util/json.js";
import { pluginLocalDiffs, pluginUpstreamDiffs, type FileDiff } from "./diff-plugin.js";

export interface DiffOptions extends CommonOptions {
  /** one agent or plugin; every installed one when absent */
  name?: string;
  /** compare with the version `upgrade` would install instead of the installed pristine one */
  upstream?: boolean;
}

export type { FileDiff };

export interface DiffResult {
  upstream: boolean;
  diffs: FileDiff[];
  /** plugins named on the command line whose files all match (no local edits; with --upstream, nothing to upgrade) */
  unchanged: { name: string; installed: string; version: string }[];
}

/** Which installed packages NAME means: its agent, its plugin, or both when they share the name. */
function selected(ctx: Context, raw: string | undefined): { agents: string[]; plugins: string[] } {
  const { lock, manifest } = ctx.files;
  if (raw === undefined) return { agents: Object.keys(lock.agents).sort(), plugins: Object.keys(lock.plugins).sort() };
  const name = parseSpec(raw).name;
  const agents = Object.hasOwn(lock.agents, name) ? [name] : [];
  const plugins = Object.hasOwn(lock.plugins, name) ? [name] : [];
  if (agents.length + plugins.length === 0) {
    const wanted = Object.hasOwn(manifest.agents, name) || Object.hasOwn(manifest.plugins, name);
    throw new AgentpkgError("E_NOT_FOUND", wanted ? `${name} is in .claude/agentpkg.json but not installed yet` : `${name} is not installed`, {
      hint: wanted ? "run agentpkg install" : "see what is with agentpkg list",
    });
  }
  return { agents, plugins };
}

/**
 * diff [NAME]: the local file against its pristine installed version (old = pristine, new = local), or
 * with --upstream the local file against what an upgrade would write (old = local, new = upstream). A
 * plugin is diffed file by file. Without NAME only packages that differ are listed (with --upstream: only
 * those with an upgrade pending).
 */
export async function runDiff(o: DiffOptions, deps: Deps): Promise<DiffResult> {
  const ctx = await openContext(o, deps, o.upstream ? "always" : "if-stale");
  const { agents, plugins } = selected(ctx, o.name);
  const one = o.name !== undefined;
  const diffs = await Promise.all(agents.map((n) => (o.upstream ? upstreamDiff(ctx, n, one) : localDiff(ctx, n, one))));
  const out = diffs.filter((d): d is FileDiff => d !== null);
  const unchanged: DiffResult["unchanged"] = [];
  for (const name of plugins) {
    const r = o.upstream ? await pluginUpstreamDiffs(ctx, name, one) : await pluginLocalDiffs(ctx, name);
    if (r === null) continue;
    out.push(...r.diffs);
    if (one && r.diffs.length === 0) unchanged.push({ name, installed: r.installed, version: r.version });
  }
  return { upstream: o.upstream === true, diffs: out, unchanged };
}

async function localState(ctx: Context, entry: LockEntry): Promise<{ text: string; missing: boolean; clean: boolean }> {
  const f = await readAgentFile(ctx.scope, entry.file);
  if (f.kind === "missing") return { text: "", missing: true, clean: false };
  return { text: f.content.toString("utf8"), missing: false, clean: f.sha256 === entry.sha256 };
}

const agentFields = (name: string) => ({ name, type: "agent" as const, kind: "agent" as const, part: name });

async function localDiff(ctx: Context, name: string, always: boolean): Promise<FileDiff | null> {
  const entry = ctx.files.lock.agents[name]!;
  const local = await localState(ctx, entry);
  const base = { ...agentFields(name), file: entry.file, version: entry.version, installed: entry.version, missing: local.missing };
  if (local.clean) return always ? { ...base, diff: "" } : null;
  const pristine = (await loadPristine(ctx, entry)).toString("utf8");
  const diff = unifiedDiff(pristine, local.text, { oldLabel: `${name}@${entry.version}`, newLabel: local.missing ? `${entry.file} (deleted)` : entry.file });
  return diff || always ? { ...base, diff } : null;
}

async function upstreamDiff(ctx: Context, name: string, always: boolean): Promise<FileDiff | null> {
  const entry = ctx.files.lock.agents[name]!;
  const dep = own(ctx.files.manifest.agents, name);
  if (!dep) {
    if (!always) return null;
    throw new AgentpkgError("E_NOT_FOUND", `${name} is in the lockfile but not in .claude/agentpkg.json, so it has no upgrade`, {
      hint: `add it back with agentpkg install ${name}, or drop it with agentpkg remove ${name}`,
    });
  }
  const target = (await resolveAgent(ctx.registries, name, dep, entry)).entry;
  const pending = target.version !== entry.version || target.sha256 !== entry.sha256;
  if (!pending && !always) return null;
  const local = await localState(ctx, entry);
  const upstream = (await loadPristine(ctx, target)).toString("utf8");
  const diff = unifiedDiff(local.text, upstream, { oldLabel: local.missing ? `${entry.file} (deleted)` : entry.file, newLabel: `${name}@${target.version}` });
  return { ...agentFields(name), file: entry.file, version: target.version, installed: entry.version, missing: local.missing, diff };
}
