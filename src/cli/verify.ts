import { verifyJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { VerifyOptions, VerifyResult } from "../operations/verify.js";
import { VERSION } from "../version.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult, withScopeFlag } from "./output.js";

type Run = (o: VerifyOptions, deps: Deps) => Promise<VerifyResult>;

export function verifyCommand(deps: Deps, run?: Run): Command {
  return new Command("verify")
    .description("check (for CI) that the agent and plugin files, lockfile and manifest agree; exit 4 listing every problem; never writes or fetches")
    .option("--signatures", "also check that what signed registries' packages come from is signed by an allowed key (from the cache, offline)")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/verify.js")).runVerify;
      const r = await fn({ ...inv.common, signatures: inv.flags.signatures === true, agentpkgVersion: VERSION }, inv.deps);
      const io = inv.deps.io;
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
      const agents = !r.checkedPlugins ? count(r.checked, "agent") : r.checked ? `${count(r.checked, "agent")} and ${count(r.checkedPlugins, "plugin")}` : count(r.checkedPlugins, "plugin");
      const untracked = r.untracked.length ? [`(${r.untracked.length} agent file${r.untracked.length > 1 ? "s" : ""} not managed by agentpkg: ${r.untracked.join(", ")})`] : [];
      printNotes(io, inv.out, r.warnings);
      if (r.ok || inv.out.json) {
        printResult(io, inv.out, verifyJson(r), () => [
          `ok: ${agents} ${r.checked + r.checkedPlugins === 1 ? "matches" : "match"} .claude/agentpkg.lock and .claude/agentpkg.json${r.checkedSignatures !== undefined ? `; ${count(r.checkedSignatures, "signature")} checked` : ""}`,
          ...untracked,
        ]);
      } else {
        // a failed check is the error of this command: shown on stderr, even with --quiet
        const n = r.problems.length;
        io.err(`${paint(io, "red", "error")} verify found ${n} problem${n > 1 ? "s" : ""} (${agents} checked)`);
        for (const p of r.problems) io.err(`  ${p.message}`);
        for (const fix of new Set(r.problems.map((p) => p.fix))) io.err(`hint: ${withScopeFlag(fix, inv.out.global)}`);
        // hand-written agents never fail verify, but are worth knowing about either way
        if (!inv.out.quiet) for (const line of untracked) io.err(line);
      }
      inv.deps.setExitCode(r.ok ? EXIT.ok : EXIT.drift);
    });
}
