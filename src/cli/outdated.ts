import { outdatedJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { CommonOptions } from "../change/context.js";
import type { OutdatedResult } from "../operations/inspect/outdated.js";
import { invocation } from "./shared.js";
import { printNotes, printResult, table } from "./output.js";

type Run = (o: CommonOptions, deps: Deps) => Promise<OutdatedResult>;

/** `1 agent is`, `2 agents and 1 plugin are` */
function upToDate(agents: number, plugins: number): string {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  const what = plugins === 0 ? n(agents, "agent") : agents === 0 ? n(plugins, "plugin") : `${n(agents, "agent")} and ${n(plugins, "plugin")}`;
  return `${what} ${agents + plugins === 1 ? "is" : "are"}`;
}

export function outdatedCommand(deps: Deps, run?: Run): Command {
  return new Command("outdated")
    .description("show agents and plugins with newer versions: current (locked), wanted (newest in range), latest; exit 4 when any")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/outdated.js")).runOutdated;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.warnings);
      printResult(io, inv.out, outdatedJson(r), () => {
        if (r.checked + r.checkedPlugins === 0) return ["no agents in the manifest (add one with agentpkg install NAME)"];
        if (r.outdated.length === 0) return [`${r.checked + r.checkedPlugins === 1 ? "" : "all "}${upToDate(r.checked, r.checkedPlugins)} up to date`];
        const plugins = r.outdated.some((a) => a.type === "plugin");
        const rows = r.outdated.map((a) => [a.name, a.current ?? "not installed", a.wanted ?? "-", a.latest ?? "-", a.registry, ...(plugins ? [a.type] : [])]);
        return [
          ...table([["NAME", "CURRENT", "WANTED", "LATEST", "REGISTRY", ...(plugins ? ["TYPE"] : [])], ...rows]),
          "agentpkg upgrade takes WANTED; agentpkg upgrade NAME --latest takes LATEST (and rewrites the range)",
        ];
      });
      inv.deps.setExitCode(r.outdated.length ? EXIT.drift : EXIT.ok);
    });
}
