import { initJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { InitOptions, InitResult } from "../operations/init.js";
import { invocation } from "./shared.js";
import { printNotes, printResult } from "./output.js";

type Run = (o: InitOptions, deps: Deps) => Promise<InitResult>;

const collect = (value: string, previous: string[]) => [...previous, value];

export function initCommand(deps: Deps, run?: Run): Command {
  return new Command("init")
    .description("create .claude/agentpkg.json here (or ~/.claude with --global) so the project can use agentpkg")
    .option("-r, --registry <name=url>", "add a git registry (repeatable; checked for form only, fetched on first install)", collect, [])
    .option("--dry-run", "print what would be created, write nothing")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/init.js")).runInit;
      const r = await fn({ ...inv.common, registries: (inv.flags.registry as string[] | undefined) ?? [] }, inv.deps);
      printNotes(inv.deps.io, inv.out, r.notes);
      const names = Object.keys(r.registries);
      printResult(inv.deps.io, inv.out, initJson(r), () => [
        `${r.dryRun ? "would create" : "created"} ${r.file}${names.length ? ` with registr${names.length > 1 ? "ies" : "y"} ${names.join(", ")}` : ""}${r.dryRun ? " (dry run: nothing written)" : ""}`,
        `next: agentpkg${inv.common.global ? " --global" : ""} install NAME${names.length ? ` (or ${names[0]}/NAME)` : ""}${
          inv.common.global ? "" : ", then commit .claude/agentpkg.json and .claude/agentpkg.lock"
        }`,
      ]);
    });
}
