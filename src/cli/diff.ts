import { diffJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { colorizeDiff } from "../util/text-diff.js";
import type { DiffOptions, DiffResult } from "../operations/inspect/diff.js";
import { invocation } from "./shared.js";
import { printResult } from "./output.js";

type Run = (o: DiffOptions, deps: Deps) => Promise<DiffResult>;

export function diffCommand(deps: Deps, run?: Run): Command {
  return new Command("diff")
    .description("show local edits: each agent file and plugin file against its pristine installed version (--upstream: against what upgrade would install)")
    .argument("[name]", "one agent or plugin (default: every installed agent and plugin that differs)")
    .option("--upstream", "compare the local file with the version upgrade would install")
    .action(async (name: string | undefined, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/diff.js")).runDiff;
      const r = await fn({ ...inv.common, name, upstream: inv.flags.upstream === true }, inv.deps);
      const io = inv.deps.io;
      printResult(io, inv.out, diffJson(r), () => {
        const lines: string[] = [];
        const plugins = new Set<string>();
        for (const d of r.diffs) {
          if (d.type === "plugin" && !plugins.has(d.name)) {
            plugins.add(d.name);
            const upgrade = d.version === d.installed ? `${d.installed} is the newest version its range allows` : `${d.installed} -> ${d.version}`;
            lines.push(`plugin ${d.name}: ${r.upstream ? upgrade : `local edits of ${d.installed}`}`);
          }
          if (d.type === "agent" && r.upstream && d.version === d.installed) lines.push(`${d.name}: ${d.installed} is the newest version its range allows`);
          if (!d.diff) {
            lines.push(r.upstream ? `${d.name}: ${d.file} already matches ${d.name}@${d.version}` : `${d.name}: no local edits`);
            continue;
          }
          const text = d.diff.endsWith("\n") ? d.diff.slice(0, -1) : d.diff;
          lines.push(io.color ? colorizeDiff(text) : text);
        }
        for (const u of r.unchanged) {
          if (!r.upstream) lines.push(`plugin ${u.name}: no local edits`);
          else lines.push(u.version === u.installed ? `plugin ${u.name}: ${u.installed} is the newest version its range allows, and its files match it` : `plugin ${u.name}: its files already match ${u.name}@${u.version}`);
        }
        if (r.diffs.length + r.unchanged.length === 0) lines.push(r.upstream ? "no upgrades pending" : "no local edits");
        return lines;
      });
    });
}
