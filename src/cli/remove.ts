import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { RemoveOptions } from "../operations/remove.js";
import type { ChangeResult } from "../change/result.js";
import { addEditFlags, changeOptions, invocation } from "./shared.js";
import { printChange } from "./render-change.js";

type Run = (o: RemoveOptions, deps: Deps) => Promise<ChangeResult>;

export function removeCommand(deps: Deps, run?: Run): Command {
  const cmd = new Command("remove")
    .aliases(["rm", "uninstall"])
    .description("remove agents or plugins: delete their files, their manifest and lock entries, and the hooks and MCP servers they added")
    .argument("<names...>", "agents (or plugins, or PLUGIN:PART) to remove")
    .option("--plugin", "the names are plugins");
  addEditFlags(cmd, { deletes: true }).action(async (names: string[], _o, self: Command) => {
    const inv = invocation(self, deps);
    const fn = run ?? (await import("../operations/remove.js")).runRemove;
    const result = await fn({ ...changeOptions(inv), names, plugin: inv.flags.plugin === true }, inv.deps);
    inv.deps.setExitCode(printChange(inv.deps.io, inv.out, result));
  });
  return cmd;
}
