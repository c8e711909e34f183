import { outdatedJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import type { CommonOptions } from "../change/context.js";
import type { OutdatedResult } from "../operations/outdated.js";
import { invocation } from "./shared.js";
import { printNotes, printResult, table } from "./output.js";

type Run = (o: CommonOptions, deps: Deps) => Promise<OutdatedResult>;

export function outdatedCommand(deps: Deps, run?: Run): Command {
  return new Command("outdated")
    .description("show agents with newer versions: current (locked), wanted (newest in range), latest; exit 4 when any")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/outdated.js")).runOutdated;
      const r = await fn(inv.common, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.warnings);
      printResult(io, inv.out, outdatedJson(r), () => {
        if (r.checked === 0) return ["no agents in the manifest (add one with agentpkg install NAME)"];
        if (r.outdated.length === 0) return [`all ${r.checked} agent${r.checked === 1 ? " is" : "s are"} up to date`];
        const rows = r.outdated.map((a) => [a.name, a.current ?? "not installed", a.wanted ?? "-", a.latest ?? "-", a.registry]);
        return [
          ...table([["NAME", "CURRENT", "WANTED", "LATEST", "REGISTRY"], ...rows]),
          "agentpkg upgrade takes WANTED; agentpkg upgrade NAME --latest takes LATEST (and rewrites the range)",
        ];
      });
      inv.deps.setExitCode(r.outdated.length ? EXIT.drift : EXIT.ok);
    });
}
