import { Command, Option } from "commander";
import type { Deps, Io } from "../util/deps.js";
import { AgentpkgError, EXIT } from "../util/errors.js";
import { atLeast, SEVERITIES, type AuditSeverity } from "../audit/rules.js";
import type { AuditOptions, AuditResult, AuditedFinding } from "../operations/audit.js";
import { auditJson } from "./json.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult, table, type Color } from "./output.js";

type Run = (o: AuditOptions, deps: Deps) => Promise<AuditResult>;

const COLORS: Record<AuditSeverity, Color> = { high: "red", medium: "yellow", low: "dim" };
const rank = (s: AuditSeverity) => SEVERITIES.indexOf(s);

export function auditCommand(deps: Deps, run?: Run): Command {
  return new Command("audit")
    .description(
      "look for risky content in installed agents and plugin parts (hidden Unicode, hooks that download and run code, bypassPermissions, unrestricted tools, prompt injection); exit 4 on a finding at or above --level",
    )
    .argument("[names...]", "installed agents or plugins (default: everything the lockfile lists)")
    .option("--all", "also what agentpkg did not install: every agent, command, skill, output style, hook and MCP server of the project")
    .addOption(new Option("--level <level>", "exit 4 when a finding is at or above this severity").choices(SEVERITIES).default("high"))
    .option("--sarif", "print the findings as a SARIF 2.1.0 log (GitHub code scanning) instead")
    .action(async (names: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const sarif = inv.flags.sarif === true;
      if (sarif && inv.out.json) throw new AgentpkgError("E_USAGE", "audit: choose one of --json and --sarif");
      const level = inv.flags.level as AuditSeverity;
      const fn = run ?? (await import("../operations/audit.js")).runAudit;
      const r = await fn({ names, all: inv.flags.all === true, global: inv.common.global }, inv.deps);
      const failed = r.findings.some((f) => atLeast(f.severity, level));
      const io = inv.deps.io;
      if (sarif) io.out(JSON.stringify((await import("./sarif.js")).auditSarif(r), null, 2));
      else if (inv.out.quiet && !inv.out.json) {
        for (const f of r.findings) if (atLeast(f.severity, level)) io.out(`${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}`);
      } else {
        printNotes(io, inv.out, r.skipped.map((s) => `${s.file} not audited: ${s.reason}`));
        printResult(io, inv.out, auditJson(r, level, failed), () => humanLines(io, r, level, failed));
      }
      inv.deps.setExitCode(failed ? EXIT.drift : EXIT.ok);
    });
}

/** Findings grouped by file, the files with the worst findings first; worst first within a file. */
function humanLines(io: Io, r: AuditResult, level: AuditSeverity, failed: boolean): string[] {
  const byFile = new Map<string, AuditedFinding[]>();
  for (const f of r.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const worst = (fs: AuditedFinding[]) => Math.max(...fs.map((f) => rank(f.severity)));
  const files = [...byFile.entries()].sort(([a, fa], [b, fb]) => worst(fb) - worst(fa) || (a < b ? -1 : a > b ? 1 : 0));
  const lines: string[] = [];
  for (const [file, fs] of files) {
    const owners = [...new Set(fs.map((f) => f.package ?? "not installed by agentpkg"))];
    lines.push(`${file}  (${owners.join(", ")})`);
    const sorted = [...fs].sort((a, b) => rank(b.severity) - rank(a.severity) || a.line - b.line);
    const rows = table(sorted.map((f) => [f.severity, `line ${f.line}`, f.rule, `${f.message}${f.entry ? ` [${f.entry}]` : ""}`]));
    rows.forEach((row, i) => {
      const sev = sorted[i]!.severity;
      lines.push(`  ${paint(io, COLORS[sev], sev)}${row.slice(sev.length)}`);
    });
  }
  const count = (s: AuditSeverity) => r.findings.filter((f) => f.severity === s).length;
  const of = r.all ? "the project" : r.packages.length === 0 ? "nothing installed" : `${r.packages.length} package${r.packages.length === 1 ? "" : "s"}`;
  const fileCount = r.audited - r.entries;
  const looked = [`${fileCount} file${fileCount === 1 ? "" : "s"}`, ...(r.entries ? [`${r.entries} hook or MCP ${r.entries === 1 ? "entry" : "entries"}`] : [])];
  const audited = `audited ${looked.join(" and ")} of ${of}`;
  if (r.findings.length === 0) return [`no findings (${audited})`];
  lines.push("", `${count("high")} high, ${count("medium")} medium, ${count("low")} low (${audited})${failed ? `: ${paint(io, "red", `failing at --level ${level}`)}` : ""}`);
  return lines;
}
