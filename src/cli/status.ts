import { statusJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { StatusOptions, StatusResult } from "../operations/inspect/status.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult, table } from "./output.js";
import { partsCell, pluginFileLines, stateText } from "./render-packages.js";

type Run = (o: StatusOptions, deps: Deps) => Promise<StatusResult>;

const isEmpty = (r: StatusResult) => r.agents.length + r.untracked.length + r.notInstalled.length + r.plugins.length + r.pluginsNotInstalled.length === 0;

export function statusCommand(deps: Deps, run?: Run): Command {
  return new Command("status")
    .description("show which installed agents and plugins are modified, merged, missing or untracked, and which have a newer version in range")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/status.js")).runStatus;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.problems);
      printResult(io, inv.out, statusJson(r), () => {
        if (isEmpty(r)) return ["no agents installed (try agentpkg install ml-engineer)"];
        const withPlugins = r.plugins.length + r.pluginsNotInstalled.length > 0;
        const upgrade = (v: string | null) => (v ? paint(io, "cyan", `${v} available`) : "");
        const rows = r.agents.map((a) => [a.name, a.version, a.registry, stateText(io, a.state, a.edits), upgrade(a.upgrade)]);
        for (const p of r.plugins) rows.push([p.name, p.version, p.registry, stateText(io, p.state, p.edits), upgrade(p.upgrade), partsCell(p)]);
        for (const n of r.notInstalled) rows.push([n, "-", "-", "not installed", ""]);
        for (const n of r.pluginsNotInstalled) rows.push([n, "-", "-", "not installed", "", "plugin"]);
        for (const f of r.untracked) rows.push([f, "-", "-", "untracked", ""]);
        for (const p of r.plugins) for (const f of p.untracked) rows.push([f, "-", "-", "untracked", "", `in plugin ${p.name}'s folder`]);
        const header = ["NAME", "VERSION", "REGISTRY", "STATE", "UPGRADE", ...(withPlugins ? ["PARTS"] : [])];
        const lines = [...table([header, ...rows]), ...pluginFileLines(io, r.plugins)];
        const states = [...r.agents.map((a) => a.state), ...r.plugins.flatMap((p) => p.files.map((f) => f.state))];
        const hints: string[] = [];
        if (states.some((s) => s === "modified" || s === "merged")) hints.push("see local edits with agentpkg diff [name]");
        if (states.includes("missing") || r.notInstalled.length || r.pluginsNotInstalled.length) hints.push("restore missing agents and plugin files with agentpkg install");
        if ([...r.agents, ...r.plugins].some((a) => a.upgrade)) hints.push("preview upgrades with agentpkg diff --upstream, apply them with agentpkg upgrade");
        return hints.length ? [...lines, "", ...hints] : lines;
      });
    });
}
