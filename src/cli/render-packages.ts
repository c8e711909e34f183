// Human lines shared by list and status: a plugin's row cells, and the files of a plugin that are not as written.
import type { Io } from "../util/deps.js";
import type { DiffStat } from "../util/text-diff.js";
import { countParts, describeTarget, type TargetState } from "../project/plugin-state.js";
import { describeCounts } from "./render-plan.js";
import { paint } from "./output.js";

/** ok plain, missing red, the rest yellow; with the lines changed when known. */
export function stateText(io: Pick<Io, "color">, state: string, edits?: DiffStat | null): string {
  const text = edits ? `${state} (+${edits.added} -${edits.removed})` : state;
  return state === "ok" ? text : paint(io, state === "missing" ? "red" : "yellow", text);
}

/** The PARTS cell of a plugin's row: `plugin: 2 agents, 1 command` (`plugin, parts greet: 1 command` when only some). */
export function partsCell(p: { parts: Record<string, string[]>; selected: string[] | null }): string {
  const counts = describeCounts(countParts(p.parts)) || "no parts";
  return p.selected ? `plugin, parts ${p.selected.join(", ")}: ${counts}` : `plugin: ${counts}`;
}

/** A plugin whose folder was deleted would list every file: past this many, the rest are counted (--json has them all). */
const MAX_FILE_LINES = 20;

/** Under the table: per plugin that is not ok, each file (or hook / MCP server entry) that is not, and why. */
export function pluginFileLines(io: Pick<Io, "color">, plugins: readonly { name: string; files: readonly (TargetState & { edits?: DiffStat | null })[] }[]): string[] {
  const lines: string[] = [];
  for (const p of plugins) {
    if (p.files.length === 0) continue;
    const rows = p.files.slice(0, MAX_FILE_LINES).map((f) => ({ state: stateText(io, f.state, f.edits), plain: f.edits ? `${f.state} (+${f.edits.added} -${f.edits.removed})` : f.state, what: describeTarget(f) }));
    const width = Math.max(...rows.map((r) => r.plain.length));
    lines.push("", `plugin ${p.name}:`);
    for (const r of rows) lines.push(`  ${r.state}${" ".repeat(width - r.plain.length)}  ${r.what}`);
    if (p.files.length > rows.length) lines.push(`  … and ${p.files.length - rows.length} more (--json lists them all)`);
  }
  return lines;
}
