import { AgentpkgError } from "../util/errors.js";
import type { LockEntry } from "../project/lockfile.js";
import { sourceForEntry } from "../sources/registries.js";
import { parseAgent } from "../agent/parse.js";
import type { Context } from "./context.js";

/** Pristine bytes of a locked version: from the store, else from its registry (then stored). */
export async function loadPristine(ctx: Context, entry: LockEntry): Promise<Buffer> {
  const stored = await ctx.store.get(entry.sha256);
  if (stored) return stored;
  const source = await sourceForEntry(ctx.registries, entry);
  const fetched = await source.readVersion({ version: entry.version, path: entry.path, sha256: entry.sha256 }, entry.commit);
  await ctx.store.put(fetched.content);
  return fetched.content;
}

/** Style notes that `validate` shows but an install should not repeat (Claude Code's own docs use them). */
const INFO_ONLY = new Set(["tools-comma-string"]);

/** Refuse content Claude Code would not load; return its warnings for display and its `name` field. */
export function checkInstallable(name: string, entry: LockEntry, content: Buffer): { warnings: string[]; nameField?: string } {
  const parsed = parseAgent(content.toString("utf8"));
  const where = `${entry.registry}/${name}@${entry.version} (${entry.path})`;
  const errors = parsed.problems.filter((p) => p.severity === "error");
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
  if (parsed.name !== undefined && parsed.name !== name) warnings.push(`${where}: its name field is "${parsed.name}", so Claude Code will know it by that name`);
  return { warnings, nameField: parsed.name };
}
