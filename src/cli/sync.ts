import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { SyncOptions, SyncResult } from "../operations/sync.js";
import { renderStep } from "./render-plan.js";
import type { Step } from "../plan/compute-plan.js";
import { addEditFlags, editFlags, invocation } from "./shared.js";
import { paint, printNotes, printResult } from "./output.js";

type Run = (o: SyncOptions, deps: Deps) => Promise<SyncResult>;

/** Nothing was (or, dry run, would be) written: every step, if any, keeps a local edit. */
export function isInSync(r: SyncResult): boolean {
  return r.conflicts.length === 0 && !r.lockChanged && !r.manifestChanged && r.steps.every((s) => s.resolution === "keep");
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
    "make .claude/agents match the lockfile exactly: write missing files, restore edited ones, remove agents dropped from the manifest (never resolves versions)",
  );
  cmd.option("--from <file>", "sync to the lock in a bundle made by agentpkg pack: no network, no git");
  addEditFlags(cmd).action(async (_o, self: Command) => {
    const inv = invocation(self, deps);
    const from = typeof inv.flags.from === "string" ? inv.flags.from : undefined;
    const fromBundle: Run | undefined = from ? async (o, d) => (await import("../operations/install-from.js")).runInstallFrom({ ...o, from }, d, "sync") : undefined;
    const fn = run ?? fromBundle ?? (await import("../operations/sync.js")).runSync;
    const { changeToJson } = await import("./render-change.js");
    const r = await fn({ ...inv.common, ...editFlags(inv.flags) }, inv.deps);
    const io = inv.deps.io;
    const inSync = isInSync(r);
    printNotes(io, inv.out, r.warnings);
    printResult(io, inv.out, { ...(changeToJson(r) as object), inSync, locked: r.locked }, () => {
      const lines = r.steps.map((s) => paint(io, s.op === "remove" ? "red" : s.resolution === "keep" ? "yellow" : "green", renderStep(s)));
      for (const b of r.backups) lines.push(`saved your edited copy as ${b}`);
      const kept = r.steps.filter((s) => s.resolution === "keep").length;
      const keptNote = kept ? `; kept ${kept} locally edited file${kept > 1 ? "s" : ""} as is` : "";
      const agents = `${r.locked} agent${r.locked === 1 ? "" : "s"}`;
      if (r.conflicts.length) {
        for (const c of r.conflicts) lines.push(`conflict: ${c.file} left untouched; merged text with conflict markers in ${c.conflictFile}`);
        lines.push("nothing was applied: edit each agent file into the text you want (its .conflict file shows both sides), then re-run with --resolved; or use --keep or --force");
      } else if (inSync) lines.push(`already in sync: ${agents} match .claude/agentpkg.lock; nothing written${keptNote}`);
      else if (r.dryRun) lines.push(`dry run: ${summary(r.steps)} (nothing written)`);
      else lines.push(`synced ${agents}: ${summary(r.steps)}${keptNote}`);
      return lines;
    });
    inv.deps.setExitCode(r.conflicts.length ? EXIT.refused : EXIT.ok);
  });
  return cmd;
}
