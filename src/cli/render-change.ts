import type { Io } from "../util/deps.js";
import type { ChangeResult } from "../change/result.js";
import type { Step } from "../plan/compute-plan.js";
import { renderStep, stepToJson, summarize } from "./render-plan.js";
import { permissionLines } from "../change/permission-review.js";
import { paint, printNotes, printResult, type OutputFlags } from "./output.js";
import { EXIT } from "../util/errors.js";

export function changeToJson(r: ChangeResult): unknown {
  return {
    schemaVersion: 1,
    command: r.command,
    dryRun: r.dryRun,
    applied: r.applied,
    steps: r.steps.map(stepToJson),
    manifestChanged: r.manifestChanged,
    lockChanged: r.lockChanged,
    backups: r.backups,
    conflicts: r.conflicts,
    permissionChanges: r.permissions,
    warnings: r.warnings,
  };
}

/** Print a change result; returns the exit code (3 when a merge left conflicts). */
export function printChange(io: Io, flags: OutputFlags, r: ChangeResult): number {
  printNotes(io, flags, r.warnings);
  printResult(io, flags, changeToJson(r), () => {
    const color = (line: string) => paint(io, line.startsWith("+") ? "green" : line.startsWith("-") ? "red" : "yellow", line);
    const conflicted = new Set(r.conflicts.map((c) => c.name));
    // a conflicted merge is not "merged": show it as the local edit it stays
    const stepLine = (s: Step) => (conflicted.has(s.name) ? renderStep({ ...s, resolution: undefined }).replace(/\)$/, ", merge conflicts)") : renderStep(s));
    const lines = r.steps.map((s) => color(stepLine(s)));
    if (r.permissions.length) lines.push("permission changes:", ...permissionLines(r.permissions).map((l) => `  ${l}`));
    if (r.dryRun && r.permissions.some((p) => p.risky)) lines.push("  applying them needs confirmation (a prompt on a terminal, or --yes)");
    for (const b of r.backups) lines.push(`saved your edited copy as ${b}`);
    const summary = summarize(r.steps);
    if (r.conflicts.length && r.dryRun) {
      for (const c of r.conflicts) lines.push(`conflict: merging ${c.file} leaves conflicts; a real run writes the text with markers to ${c.conflictFile} and changes nothing else`);
      lines.push("dry run: nothing written");
    } else if (r.conflicts.length) {
      for (const c of r.conflicts) lines.push(`conflict: ${c.file} left untouched; merged text with conflict markers in ${c.conflictFile}`);
      lines.push("nothing was applied: edit each agent file into the text you want (its .conflict file shows both sides), then re-run with --resolved; or use --keep (stay on your version) or --force (take theirs, saving yours as .orig)");
    } else if (r.dryRun) lines.push(`dry run: ${summary} (nothing written)`);
    else if (!r.applied && r.steps.length === 0) lines.push(`up to date: ${summary}`);
    else lines.push(summary);
    return lines;
  });
  return r.conflicts.length ? EXIT.refused : EXIT.ok;
}
