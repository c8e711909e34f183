import { listJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { ListOptions, ListResult } from "../operations/list.js";
import { invocation } from "./shared.js";
import { paint, printResult, table } from "./output.js";

type Run = (o: ListOptions, deps: Deps) => Promise<ListResult>;

export function listCommand(deps: Deps, run?: Run): Command {
  return new Command("list")
    .alias("ls")
    .description("list installed agents with version, registry and state (ok / modified / missing), and untracked agent files")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/list.js")).runList;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printResult(io, inv.out, listJson(r), () => {
        if (r.agents.length === 0 && r.untracked.length === 0 && r.notInstalled.length === 0) return ["no agents installed (try agentpkg install ml-engineer)"];
        const state = (s: string) => (s === "ok" ? s : paint(io, s === "missing" ? "red" : "yellow", s));
        const rows = r.agents.map((a) => [a.name, a.version, a.registry, state(a.state)]);
        for (const n of r.notInstalled) rows.push([n, "-", "-", "not installed"]);
        for (const f of r.untracked) rows.push([f, "-", "-", "untracked"]);
        return table([["NAME", "VERSION", "REGISTRY", "STATE"], ...rows]);
      });
    });
}
