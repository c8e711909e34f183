import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { InstallOptions } from "../operations/install.js";
import type { ChangeResult } from "../change/result.js";
import { addEditFlags, changeOptions, invocation } from "./shared.js";
import { printChange } from "./render-change.js";
import { AgentpkgError } from "../util/errors.js";
import { mayNameRepository } from "../sources/repo-spec.js";

type Run = (o: InstallOptions, deps: Deps) => Promise<ChangeResult>;

export function installCommand(deps: Deps, run?: Run): Command {
  const cmd = new Command("install")
    .aliases(["i", "add"])
    .description("install agents and plugins into .claude (no names: everything in the manifest, at the locked versions)")
    .argument("[specs...]", "agents to add, e.g. ml-engineer, ml-engineer@^1.2, team/reviewer@latest; a plugin's name, or PLUGIN:PART for one of its parts")
    .option("--plugin", "the names are plugins of a marketplace, installed whole (agents, commands, skills, hooks, MCP servers)")
    .option("--as <name>", "install URL[#AGENT]: the name of the repository's registry (default: the repository's name)")
    .option("--allowed-signers <file>", "install URL[#AGENT]: require the repository's commits to be signed by one of these SSH keys, as registry add --allowed-signers")
    .option("--frozen", "fail (exit 4) instead of changing the lockfile; implied when CI=true and no names are given")
    .option("--no-frozen", "allow lockfile changes even when CI=true")
    .option("-E, --exact", "save the exact version in the manifest instead of ^version")
    .option("--from <file>", "install exactly the lock in a bundle made by agentpkg pack: no network, no git");
  addEditFlags(cmd).action(async (specs: string[], _o, self: Command) => {
    const inv = invocation(self, deps);
    if (typeof inv.flags.from === "string") {
      if (specs.length) throw new AgentpkgError("E_USAGE", "install --from takes no agent names: it installs the bundle's lock");
      const { runInstallFrom } = await import("../operations/install-from.js");
      const r = await runInstallFrom({ ...changeOptions(inv), from: inv.flags.from }, inv.deps);
      return inv.deps.setExitCode(printChange(inv.deps.io, inv.out, r));
    }
    const frozen = self.getOptionValueSource("frozen") === "cli" ? inv.flags.frozen === true : undefined;
    const o = { ...changeOptions(inv), specs, frozen, exact: inv.flags.exact === true, plugin: inv.flags.plugin === true };
    const as = typeof inv.flags.as === "string" ? inv.flags.as : undefined;
    const allowedSigners = typeof inv.flags.allowedSigners === "string" ? inv.flags.allowedSigners : undefined;
    if (!run && (as !== undefined || allowedSigners !== undefined || specs.some(mayNameRepository))) {
      // a repository (URL[#AGENT], OWNER/NAME): its registry is added and installed from in this one run
      const [{ runInstallArgs }, { printInstall }] = await Promise.all([import("../operations/install-repo.js"), import("./install-repo.js")]);
      return inv.deps.setExitCode(printInstall(inv.deps.io, inv.out, await runInstallArgs({ ...o, as, allowedSigners }, inv.deps)));
    }
    const fn = run ?? (await import("../operations/install.js")).runInstall;
    inv.deps.setExitCode(printChange(inv.deps.io, inv.out, await fn(o, inv.deps)));
  });
  return cmd;
}
