import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { UpgradeOptions } from "../operations/upgrade.js";
import type { ChangeResult } from "../change/result.js";
import { addEditFlags, changeOptions, invocation } from "./shared.js";
import { printChange } from "./render-change.js";

type Run = (o: UpgradeOptions, deps: Deps) => Promise<ChangeResult>;

export function upgradeCommand(deps: Deps, run?: Run): Command {
  const cmd = new Command("upgrade")
    .alias("update")
    .description("upgrade agents to the newest version their manifest range allows (--latest: past it)")
    .argument("[names...]", "agents to upgrade (default: all)")
    .option("--latest", "take the latest version even outside the range, and rewrite the range")
    .option("-E, --exact", "with --latest, save the exact version instead of ^version");
  addEditFlags(cmd).action(async (names: string[], _o, self: Command) => {
    const inv = invocation(self, deps);
    const fn = run ?? (await import("../operations/upgrade.js")).runUpgrade;
    const result = await fn({ ...changeOptions(inv), names, latest: inv.flags.latest === true, exact: inv.flags.exact === true }, inv.deps);
    inv.deps.setExitCode(printChange(inv.deps.io, inv.out, result));
  });
  return cmd;
}
