import { doctorJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { DoctorOptions, DoctorResult } from "../operations/doctor.js";
import { invocation } from "./shared.js";
import { paint, printResult } from "./output.js";

type Run = (o: DoctorOptions, deps: Deps) => Promise<DoctorResult>;

export function doctorCommand(deps: Deps, run?: Run): Command {
  return new Command("doctor")
    .description("check for interrupted runs, leftover temp files, stale locks, duplicate or shadowed agent names and lock/disk disagreements (exit 4 if any problem)")
    .option("--fix", "finish an interrupted run, delete leftover temp files and stale locks (local edits are never touched)")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/doctor.js")).runDoctor;
      const r = await fn({ ...inv.common, fix: inv.flags.fix === true }, inv.deps);
      const io = inv.deps.io;
      printResult(io, inv.out, doctorJson(r), () => {
        const lines = r.fixed.map((f) => `${paint(io, "green", "fixed")} ${f}`);
        for (const f of r.findings) {
          lines.push(`${f.severity === "problem" ? paint(io, "red", "problem") : paint(io, "dim", "note")} ${f.message}`);
          if (f.hint) lines.push(`  hint: ${f.hint}`);
        }
        const problems = r.findings.filter((f) => f.severity === "problem").length;
        lines.push(r.healthy ? "no problems found" : `${problems} problem${problems === 1 ? "" : "s"} found`);
        return lines;
      });
      inv.deps.setExitCode(r.healthy ? EXIT.ok : EXIT.drift);
    });
}
