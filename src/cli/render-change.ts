import type { Io } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { ChangeResult } from "../change/result.js";
import { permissionLines } from "../plan/review.js";
import { renderSteps, stepToJson, summarize } from "./render-plan.js";
import { whereLines } from "./where.js";
import { paint, printNotes, printResult, type JsonDoc, type OutputFlags } from "./output.js";
import { withSmallYoungGenerationSync } from "../util/small-young-generation.js";

/** The --json document of install, upgrade, remove (and, extended, sync). */
export function changeToJson(r: ChangeResult): JsonDoc {
  const p = r.plan;
  return {
    schemaVersion: 1 as const,
    command: r.command,
    dryRun: r.dryRun,
    applied: r.applied,
    steps: p.steps.map(stepToJson),
    manifestChanged: p.manifestChanged,
    lockChanged: p.lockChanged,
    backups: r.backups,
    conflicts: p.conflicts.map(({ name, file, conflictFile }) => ({ name, file, conflictFile })),
    permissionChanges: p.permissions,
    warnings: p.warnings,
  };
}

/** What a conflicted merge left, and the ways out. */
export function conflictLines(r: ChangeResult, waysOut: string): string[] {
  const lines: string[] = [];
  if (r.dryRun) {
    for (const c of r.plan.conflicts) lines.push(`conflict: merging ${c.file} leaves conflicts; a real run writes the text with markers to ${c.conflictFile} and changes nothing else`);
    lines.push("dry run: nothing written");
    return lines;
  }
  for (const c of r.plan.conflicts) lines.push(`conflict: ${c.file} left untouched; merged text with conflict markers in ${c.conflictFile}`);
  lines.push(`nothing was applied: edit each agent file into the text you want (its .conflict file shows both sides), then re-run with --resolved; or use ${waysOut}`);
  return lines;
}

/** Print a change result; returns the exit code (3 when a merge left conflicts). */
export function printChange(io: Io, flags: OutputFlags, r: ChangeResult): number {
  // the lines of thousands of steps, as the change itself, without V8 growing its young generation for them
  return withSmallYoungGenerationSync(() => printChangeNow(io, flags, r), { optimizeForSize: true });
}

function printChangeNow(io: Io, flags: OutputFlags, r: ChangeResult): number {
  const p = r.plan;
  printNotes(io, flags, p.warnings);
  printResult(io, flags, () => changeToJson(r), () => {
    const color = (line: string) => paint(io, /^\s*\+/.test(line) ? "green" : /^\s*-/.test(line) ? "red" : "yellow", line);
    const lines = renderSteps(p.steps).map(color);
    if (p.permissions.length) lines.push("permission changes:", ...permissionLines(p.permissions).map((l) => `  ${l}`));
    if (r.dryRun && p.permissions.some((c) => c.risky)) lines.push("  applying them needs confirmation (a prompt on a terminal, or --yes)");
    for (const b of r.backups) lines.push(`saved your edited copy as ${b}`);
    const summary = summarize(p.steps);
    if (p.conflicts.length) lines.push(...conflictLines(r, "--keep (stay on your version) or --force (take theirs, saving yours as .orig)"));
    else if (r.dryRun) lines.push(`dry run: ${summary} (nothing written)`);
    else if (!r.applied && p.steps.length === 0) lines.push(`up to date: ${summary}`);
    else lines.push(summary);
    if (r.place && !p.conflicts.length) lines.push(...whereLines(p.steps, r.place, r.dryRun));
    return lines;
  });
  return p.conflicts.length ? EXIT.refused : EXIT.ok;
}
