import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { unifiedDiff } from "../util/text-diff.js";
import { readAgentFile } from "../project/agents-dir.js";
import type { LockEntry } from "../project/lockfile.js";
import { parseSpec } from "../sources/spec.js";
import { openContext, type CommonOptions, type Context } from "../change/context.js";
import { loadPristine } from "../change/content.js";
import { resolveAgent } from "../change/resolve-agent.js";
import { own } from "../util/json.js";

export interface DiffOptions extends CommonOptions {
  /** one agent; all installed agents when absent */
  name?: string;
  /** compare with the version `upgrade` would install instead of the installed pristine one */
  upstream?: boolean;
}

export interface FileDiff {
  name: string;
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

export interface DiffResult {
  upstream: boolean;
  diffs: FileDiff[];
}

/**
 * diff [NAME]: the local file against its pristine installed version (old = pristine, new = local), or
 * with --upstream the local file against what an upgrade would write (old = local, new = upstream).
 * Without NAME only agents that differ are listed (with --upstream: only those with an upgrade pending).
 */
export async function runDiff(o: DiffOptions, deps: Deps): Promise<DiffResult> {
  const ctx = await openContext(o, deps, o.upstream ? "always" : "if-stale");
  const { lock, manifest } = ctx.files;
  let names = Object.keys(lock.agents).sort();
  if (o.name !== undefined) {
    const name = parseSpec(o.name).name;
    if (!Object.hasOwn(lock.agents, name)) {
      const wanted = Object.hasOwn(manifest.agents, name);
      throw new AgentpkgError("E_NOT_FOUND", wanted ? `${name} is in .claude/agentpkg.json but not installed yet` : `${name} is not installed`, {
        hint: wanted ? "run agentpkg install" : "see what is with agentpkg list",
      });
    }
    names = [name];
  }
  const one = o.name !== undefined;
  const diffs = await Promise.all(names.map((n) => (o.upstream ? upstreamDiff(ctx, n, one) : localDiff(ctx, n, one))));
  return { upstream: o.upstream === true, diffs: diffs.filter((d): d is FileDiff => d !== null) };
}

async function localState(ctx: Context, entry: LockEntry): Promise<{ text: string; missing: boolean; clean: boolean }> {
  const f = await readAgentFile(ctx.scope, entry.file);
  if (f.kind === "missing") return { text: "", missing: true, clean: false };
  return { text: f.content.toString("utf8"), missing: false, clean: f.sha256 === entry.sha256 };
}

async function localDiff(ctx: Context, name: string, always: boolean): Promise<FileDiff | null> {
  const entry = ctx.files.lock.agents[name]!;
  const local = await localState(ctx, entry);
  const base = { name, file: entry.file, version: entry.version, installed: entry.version, missing: local.missing };
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
  return { name, file: entry.file, version: target.version, installed: entry.version, missing: local.missing, diff };
}
