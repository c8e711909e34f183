import { AgentpkgError } from "../util/errors.js";
import type { LockedFile, LockEntry } from "../project/lockfile.js";
import { materializePlugin } from "./resolve-plugin.js";
import { sourceForEntry } from "../sources/registries.js";
import type { Source } from "../sources/source.js";
import { parseAgent } from "../agent/parse.js";
import { readAgentFile } from "../project/agents-dir.js";
import type { Context } from "./context.js";

/**
 * Pristine bytes of a locked file: read this run, else from the store, else from its registry (then stored).
 * When the registry cannot give them (its history was rewritten and the locked commit is gone), the
 * installed file is the pristine copy if it is unedited (its sha256 decides).
 */
export async function loadPristine(ctx: Context, entry: LockEntry | LockedFile): Promise<Buffer> {
  const known = knownPristine(ctx, entry);
  if (known) return known;
  let fetched: Buffer;
  try {
    fetched = await fetchPristine(ctx, entry);
  } catch (err) {
    const installed = await readAgentFile(ctx.scope, entry.file).catch(() => undefined);
    if (installed?.kind !== "present" || installed.sha256 !== entry.sha256) throw err;
    fetched = installed.content;
  }
  await ctx.store.put(fetched);
  return fetched;
}

/** Pristine bytes already at hand: read this run (then stored: the merge base of a later upgrade, offline too), or in the store. */
export function knownPristine(ctx: Context, entry: LockEntry | LockedFile): Buffer | undefined {
  const read = ctx.pristine.get(entry.sha256);
  if (read) ctx.store.putSync(read);
  return read ?? ctx.store.getSync(entry.sha256);
}

/** Plugin versions read again this run, per context: a plugin's files are all found by one read. */
const rematerialized = new WeakMap<Context, Map<string, Promise<unknown>>>();

/** Read a locked plugin version again (at the locked commit), once per run, filling ctx.pristine. */
function rematerialize(ctx: Context, source: Source, entry: LockedFile & { plugin: NonNullable<LockedFile["plugin"]> }): Promise<unknown> {
  const { root, parts, origin } = entry.plugin;
  const key = JSON.stringify([entry.registry, entry.url, entry.name, entry.version, entry.commit, root, parts ?? null, origin ?? null]);
  const runs = rematerialized.get(ctx) ?? new Map<string, Promise<unknown>>();
  rematerialized.set(ctx, runs);
  let run = runs.get(key);
  if (!run) {
    run = (async () => {
      const plugin = (await source.getPlugin?.(entry.name)) ?? { name: entry.name, versions: {}, tags: {} };
      await materializePlugin(ctx, source, plugin, entry.name, { version: entry.version, path: root, commit: entry.commit ?? undefined, ...(origin ? { origin } : {}) }, { commit: entry.commit, parts });
    })();
    runs.set(key, run);
  }
  return run;
}

/** A locked file's bytes from its registry. A plugin's file is found by reading that version of the plugin again (at the locked commit). */
async function fetchPristine(ctx: Context, entry: LockEntry | LockedFile): Promise<Buffer> {
  const source = await sourceForEntry(ctx.registries, entry);
  if ("plugin" in entry && entry.plugin) {
    await rematerialize(ctx, source, { ...entry, plugin: entry.plugin });
    const again = ctx.pristine.get(entry.sha256);
    if (!again) {
      throw new AgentpkgError("E_INTEGRITY", `${entry.registry}: ${entry.file} of plugin ${entry.name}@${entry.version} no longer has the content the lock records`, {
        hint: "the registry's history was rewritten or tampered with; nothing was written. Run agentpkg upgrade to take what it has now",
      });
    }
    return again;
  }
  return (await source.readVersion({ version: entry.version, path: entry.path, sha256: entry.sha256 }, entry.commit)).content;
}

/** Style notes that `validate` shows but an install should not repeat (Claude Code's own docs use them). */
const INFO_ONLY = new Set(["tools-comma-string"]);

/** Refuse content Claude Code would not load; return its warnings for display and its `name` field. */
export function checkInstallable(name: string, entry: LockEntry, content: Buffer, o: { lenient?: boolean } = {}): { warnings: string[]; nameField?: string } {
  const parsed = parseAgent(content.toString("utf8"));
  const where = `${entry.registry}/${name}@${entry.version} (${entry.path})`;
  const errors = parsed.problems.filter((p) => p.severity === "error");
  if (errors.length && o.lenient) return { warnings: [`${where}: ${errors[0]!.message} (Claude Code will not load this agent)`] };
  if (errors.length) {
    const first = errors[0]!;
    throw new AgentpkgError("E_AGENT_INVALID", `${where}${first.line ? `:${first.line}` : ""}: ${first.message}`, {
      hint: "Claude Code would not load this agent; ask the registry to fix it, or pick another version",
      details: errors.slice(1).map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.message}`),
    });
  }
  const warnings: string[] = parsed.problems
    .filter((p) => p.severity === "warning" && !INFO_ONLY.has(p.code))
    .slice(0, 3)
    .map((p) => `${where}${p.line ? `:${p.line}` : ""}: ${p.message}`);
  if (parsed.name !== undefined && parsed.name !== name && !o.lenient) warnings.push(`${where}: its name field is "${parsed.name}", so Claude Code will know it by that name`);
  return { warnings, nameField: parsed.name };
}
