import { Command } from "commander";
import { whereLines } from "./where.js";
import { VERSION } from "../version.js";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { SyncOptions, SyncResult } from "../operations/sync.js";
import { renderSteps } from "./render-plan.js";
import type { Step } from "../plan/plan.js";
import { addEditFlags, changeOptions, invocation } from "./shared.js";
import { paint, printNotes, printResult } from "./output.js";

type Run = (o: SyncOptions, deps: Deps) => Promise<SyncResult>;

/** Nothing was (or, dry run, would be) written: every step, if any, keeps a local edit. */
export function isInSync(r: SyncResult): boolean {
  const p = r.plan;
  return p.conflicts.length === 0 && !p.lockChanged && !p.manifestChanged && p.steps.every((s) => s.resolution === "keep");
}

/** Sync only ever restores locked files or removes dropped ones (its desired lock is a subset of the lock). */
function summary(steps: Step[]): string {
  const acted = steps.filter((s) => s.resolution !== "keep");
  const removed = acted.filter((s) => s.op === "remove").length;
  const parts = [`${acted.length - removed} restored`, `${removed} removed`].filter((p) => !p.startsWith("0 "));
  return parts.join(", ") || "nothing to change";
}

export function syncCommand(deps: Deps, run?: Run): Command {
  const cmd = new Command("sync").description(
    "make the project match the lockfile exactly: write missing files and entries, restore edited ones, remove agents and plugins dropped from the manifest (never resolves versions)",
  );
  cmd.option("--from <file>", "sync to the lock in a bundle made by agentpkg pack: no network, no git");
  addEditFlags(cmd).action(async (_o, self: Command) => {
    const inv = invocation(self, deps);
    const from = typeof inv.flags.from === "string" ? inv.flags.from : undefined;
    const fromBundle: Run | undefined = from ? async (o, d) => (await import("../operations/install-from.js")).runInstallFrom({ ...o, from }, d, "sync") : undefined;
    const fn = run ?? fromBundle ?? (await import("../operations/sync.js")).runSync;
    const { changeToJson, conflictLines } = await import("./render-change.js");
    const r = await fn({ ...changeOptions(inv), agentpkgVersion: VERSION }, inv.deps);
    const io = inv.deps.io;
    const inSync = isInSync(r);
    const p = r.plan;
    printNotes(io, inv.out, p.warnings);
    printResult(io, inv.out, { ...changeToJson(r), inSync, locked: r.locked }, () => {
      const lines = renderSteps(p.steps).map((l) => paint(io, /^\s*-/.test(l) ? "red" : /kept as is\)$/.test(l) ? "yellow" : "green", l));
      for (const b of r.backups) lines.push(`saved your edited copy as ${b}`);
      const kept = p.steps.filter((s) => s.resolution === "keep").length;
      const keptNote = kept ? `; kept ${kept} locally edited file${kept > 1 ? "s" : ""} as is` : "";
      const packages = `${r.locked} package${r.locked === 1 ? "" : "s"}`;
      if (p.conflicts.length) lines.push(...conflictLines(r, "--keep or --force"));
      else if (inSync) lines.push(`already in sync: ${packages} ${r.locked === 1 ? "matches" : "match"} .claude/agentpkg.lock; nothing written${keptNote}`);
      else if (r.dryRun) lines.push(`dry run: ${summary(p.steps)} (nothing written)`);
      else lines.push(`synced ${packages}: ${summary(p.steps)}${keptNote}`);
      if (r.place && !p.conflicts.length) lines.push(...whereLines(p.steps, r.place, r.dryRun));
      return lines;
    });
    inv.deps.setExitCode(p.conflicts.length ? EXIT.refused : EXIT.ok);
  });
  return cmd;
}
