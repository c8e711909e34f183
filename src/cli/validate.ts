import { validateJson } from "./json.js";
import { Command } from "commander";
import type { Deps, Io } from "../util/deps.js";
import type { ValidateOptions, ValidateResult } from "../authoring/validate.js";
import { EXIT } from "../util/errors.js";
import { invocation } from "./shared.js";
import { paint, printResult } from "./output.js";

type Run = (o: ValidateOptions, deps: Deps) => Promise<ValidateResult>;

export function validateCommand(deps: Deps, run?: Run): Command {
  return new Command("validate")
    .description("check agent files the way Claude Code reads them (errors: it would not load the agent; warnings: something is ignored)")
    .argument("[paths...]", "agent files or folders (default: .claude/agents, walked recursively)")
    .option("--strict", "exit 1 on warnings too")
    .option("--fix", "rewrite what is safe to rewrite (quoting, tools as a list, key case), showing the diff first")
    .option("--dry-run", "with --fix: show the diff, write nothing")
    .action(async (paths: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../authoring/validate.js")).runValidate;
      const fix = inv.flags.fix === true;
      const r = await fn({ paths, global: inv.common.global, fix, dryRun: inv.common.dryRun }, inv.deps);
      const strict = inv.flags.strict === true;
      const { formatProblem } = await import("../authoring/validate.js");
      const { colorizeDiff } = await import("../util/text-diff.js");
      const io = inv.deps.io;
      const json = validateJson(r, r.errors === 0 && (!strict || r.warnings === 0));
      if (inv.out.quiet && !inv.out.json) {
        for (const f of r.files) for (const p of f.problems) if (p.severity === "error") io.out(formatProblem(f.path, p));
      } else {
        printResult(io, inv.out, json, () => humanLines(io, r, fix, formatProblem, colorizeDiff));
      }
      if (r.errors > 0 || (strict && r.warnings > 0)) inv.deps.setExitCode(EXIT.error);
    });
}

type Problem = ValidateResult["files"][number]["problems"][number];

function humanLines(io: Io, r: ValidateResult, fix: boolean, format: (file: string, p: Problem) => string, colorize: (diff: string) => string): string[] {
  const lines: string[] = [];
  for (const f of r.files) if (f.notFixed) lines.push(`not fixed ${f.path}: ${f.notFixed}`);
  for (const f of r.files) {
    if (!f.diff) continue;
    lines.push(...(io.color ? colorize(f.diff) : f.diff).replace(/\n$/, "").split("\n"));
    for (const c of f.fixes ?? []) lines.push(`${r.dryRun ? "would fix" : "fixed"} ${f.path}: ${c}`);
  }
  for (const f of r.files) {
    for (const p of f.problems) {
      const line = format(f.path, p);
      const sev = p.severity === "error" ? paint(io, "red", "error") : paint(io, "yellow", "warning");
      lines.push(line.replace(` ${p.severity} `, ` ${sev} `));
    }
  }
  const n = r.files.filter((f) => !f.index).length;
  if (n === 0 && r.indexes.length === 0) {
    lines.push(`no agent files found${r.searched.length ? ` in ${r.searched.join(", ")}` : ""}`);
    return lines;
  }
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  const what = [...(n > 0 || r.indexes.length === 0 ? [plural(n, "file")] : []), ...r.indexes.map((x) => `the index of ${x.dir} (${plural(x.shards, "shard")})`)];
  let summary = `${what.join(" and ")} checked: ${plural(r.errors, "error")}, ${plural(r.warnings, "warning")}`;
  if (fix) summary += r.dryRun ? `; ${plural(r.fixed, "file")} would be fixed (dry run: nothing written)` : `; fixed ${plural(r.fixed, "file")}`;
  else if (r.fixable > 0) summary += `; agentpkg validate --fix can rewrite ${plural(r.fixable, "file")}`;
  lines.push(summary);
  return lines;
}
