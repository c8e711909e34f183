import { listJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { ListOptions, ListResult } from "../operations/inspect/list.js";
import { invocation } from "./shared.js";
import { printNotes, printResult, table } from "./output.js";
import { partsCell, pluginFileLines, stateText } from "./render-packages.js";

type Run = (o: ListOptions, deps: Deps) => Promise<ListResult>;

/** A token estimate for a table cell: `~120 tok`. */
export const tokensCell = (n: number) => `~${n.toLocaleString("en-US")} tok`;

/** The total every conversation pays for what is installed, and how it is estimated. */
export function contextLines(r: Pick<ListResult, "agents" | "plugins" | "contextTokens" | "untrackedTokens">): string[] {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  const what = [n(r.agents.length, "agent"), ...(r.plugins.length ? [n(r.plugins.length, "plugin")] : [])].join(" and ");
  const installed = r.contextTokens - r.untrackedTokens;
  const untracked = r.untrackedTokens ? `, plus ~${r.untrackedTokens.toLocaleString("en-US")} for untracked agent files` : "";
  const tokens = (k: number) => `~${k.toLocaleString("en-US")} tokens`;
  return ["", `always in context: ${tokens(installed)} for ${what}${untracked}`, "  (the names, descriptions and tools Claude Code lists in every conversation; estimated as characters / 4)"];
}

/** Agents hidden by another of the same name, with both files. */
export function shadowLines(r: Pick<ListResult, "shadowed">): string[] {
  if (!r.shadowed.length) return [];
  return ["", ...r.shadowed.map((s) => `shadowed: ${s.hidden} (${s.hiddenLevel} agent "${s.name}") is hidden by ${s.file} (${s.level}); Claude Code loads only the ${s.level} one`)];
}

const isEmpty = (r: ListResult) => r.agents.length + r.untracked.length + r.notInstalled.length + r.plugins.length + r.pluginsNotInstalled.length === 0;

export function listCommand(deps: Deps, run?: Run): Command {
  return new Command("list")
    .alias("ls")
    .description("list installed agents and plugins with version, registry and state (ok / modified / merged / missing), and untracked files")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/list.js")).runList;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.warnings);
      printResult(io, inv.out, listJson(r), () => {
        if (isEmpty(r)) return ["no agents installed (try agentpkg install ml-engineer)"];
        const withPlugins = r.plugins.length + r.pluginsNotInstalled.length > 0;
        const rows = r.agents.map((a) => [a.name, a.version, a.registry, stateText(io, a.state), tokensCell(a.contextTokens)]);
        for (const p of r.plugins) rows.push([p.name, p.version, p.registry, stateText(io, p.state), tokensCell(p.contextTokens), partsCell(p)]);
        for (const n of r.notInstalled) rows.push([n, "-", "-", "not installed", "-"]);
        for (const n of r.pluginsNotInstalled) rows.push([n, "-", "-", "not installed", "-", "plugin"]);
        for (const f of r.untracked) rows.push([f, "-", "-", "untracked", "-"]);
        for (const p of r.plugins) for (const f of p.untracked) rows.push([f, "-", "-", "untracked", "-", `in plugin ${p.name}'s folder`]);
        const header = ["NAME", "VERSION", "REGISTRY", "STATE", "CONTEXT", ...(withPlugins ? ["PARTS"] : [])];
        return [...table([header, ...rows]), ...pluginFileLines(io, r.plugins), ...contextLines(r), ...shadowLines(r)];
      });
    });
}
