import { statusJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { StatusOptions, StatusResult } from "../operations/status.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult, table } from "./output.js";

type Run = (o: StatusOptions, deps: Deps) => Promise<StatusResult>;

export function statusCommand(deps: Deps, run?: Run): Command {
  return new Command("status")
    .description("show which installed agents are modified, merged, missing or untracked, and which have a newer version in range")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/status.js")).runStatus;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.problems);
      printResult(io, inv.out, statusJson(r), () => {
        if (r.agents.length === 0 && r.untracked.length === 0 && r.notInstalled.length === 0) return ["no agents installed (try agentpkg install ml-engineer)"];
        const state = (a: StatusResult["agents"][number]) => {
          const text = a.edits ? `${a.state} (+${a.edits.added} -${a.edits.removed})` : a.state;
          return a.state === "ok" ? text : paint(io, a.state === "missing" ? "red" : "yellow", text);
        };
        const rows = r.agents.map((a) => [a.name, a.version, a.registry, state(a), a.upgrade ? paint(io, "cyan", `${a.upgrade} available`) : ""]);
        for (const n of r.notInstalled) rows.push([n, "-", "-", "not installed", ""]);
        for (const f of r.untracked) rows.push([f, "-", "-", "untracked", ""]);
        const lines = table([["NAME", "VERSION", "REGISTRY", "STATE", "UPGRADE"], ...rows]);
        const hints: string[] = [];
        if (r.agents.some((a) => a.state === "modified" || a.state === "merged")) hints.push("see local edits with agentpkg diff [name]");
        if (r.agents.some((a) => a.state === "missing") || r.notInstalled.length) hints.push("restore missing agents with agentpkg install");
        if (r.agents.some((a) => a.upgrade)) hints.push("preview upgrades with agentpkg diff --upstream, apply them with agentpkg upgrade");
        return hints.length ? [...lines, "", ...hints] : lines;
      });
    });
}
