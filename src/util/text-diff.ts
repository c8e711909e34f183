import { diffLines, structuredPatch } from "diff";
import { sgr } from "./terminal-text.js";

export interface UnifiedDiffOptions {
  oldLabel: string;
  newLabel: string;
  /** Lines of context around each hunk (default 3). */
  context?: number;
}

export interface DiffStat {
  added: number;
  removed: number;
}

/**
 * Standard unified diff (`--- old` / `+++ new` / `@@` hunks) of two texts.
 * Returns '' when the texts are identical. Missing final newlines are marked
 * with the usual `\ No newline at end of file` line.
 */
export function unifiedDiff(oldText: string, newText: string, opts: UnifiedDiffOptions): string {
  if (oldText === newText) return "";
  const patch = structuredPatch(opts.oldLabel, opts.newLabel, oldText, newText, undefined, undefined, {
    context: opts.context ?? 3,
  });
  if (patch.hunks.length === 0) return "";
  const out = [`--- ${opts.oldLabel}`, `+++ ${opts.newLabel}`];
  for (const h of patch.hunks) {
    // Unified-diff quirk: an empty range starts one line earlier.
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out.push(`@@ -${range(oldStart, h.oldLines)} +${range(newStart, h.newLines)} @@`);
    out.push(...h.lines);
  }
  return out.join("\n") + "\n";
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}

/** Number of added and removed lines between two texts. */
export function diffStat(oldText: string, newText: string): DiffStat {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(oldText, newText)) {
    const n = part.count ?? countLines(part.value);
    if (part.added) added += n;
    else if (part.removed) removed += n;
  }
  return { added, removed };
}

function countLines(value: string): number {
  if (value === "") return 0;
  const n = value.split("\n").length;
  return value.endsWith("\n") ? n - 1 : n;
}

const RED = sgr(31);
const GREEN = sgr(32);
const CYAN = sgr(36);
const BOLD = sgr(1);
const RESET = sgr(0);

/**
 * Adds ANSI colours to a unified diff: red for removals, green for additions,
 * cyan for hunk headers, bold for file headers. Pure string transform; the
 * caller decides whether colour is appropriate (TTY, NO_COLOR, ...).
 * Hunk line counts are tracked so that a removed line starting with "--"
 * is not mistaken for a file header.
 */
export function colorizeDiff(diff: string): string {
  let oldLeft = 0;
  let newLeft = 0;
  return diff
    .split("\n")
    .map((line) => {
      const inHunk = oldLeft > 0 || newLeft > 0;
      if (!inHunk) {
        const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
        if (m) {
          oldLeft = m[1] === undefined ? 1 : Number(m[1]);
          newLeft = m[2] === undefined ? 1 : Number(m[2]);
          return `${CYAN}${line}${RESET}`;
        }
        if (line.startsWith("--- ") || line.startsWith("+++ ")) return `${BOLD}${line}${RESET}`;
      }
      if (line.startsWith("-")) {
        oldLeft--;
        return `${RED}${line}${RESET}`;
      }
      if (line.startsWith("+")) {
        newLeft--;
        return `${GREEN}${line}${RESET}`;
      }
      if (line.startsWith(" ")) {
        oldLeft--;
        newLeft--;
      }
      return line;
    })
    .join("\n");
}

/**
 * Apply a unified diff made by unifiedDiff (context 3) to `oldText`: the new text, or undefined when the
 * patch does not apply cleanly (it was made from another text, or edited).
 */
export async function applyUnifiedDiff(oldText: string, patch: string): Promise<string | undefined> {
  const { applyPatch } = await import("diff");
  const out = applyPatch(oldText, patch);
  return out === false ? undefined : out;
}
