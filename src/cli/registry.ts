import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { invocation } from "./shared.js";
import { printResult, table } from "./output.js";

export function registryCommand(deps: Deps): Command {
  const cmd = new Command("registry").description("manage the registries agents are installed from");
  cmd
    .command("add")
    .description("add a git registry (https, ssh, git@host:path, file:// or a local path) to the manifest")
    .argument("<name>", "a short name, used as <name>/agent")
    .argument("<url>", "git url of a repository with registry.json at its root")
    .option("--dry-run", "check the registry, change nothing")
    .action(async (name: string, url: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryAdd } = await import("../operations/registry.js");
      const r = await runRegistryAdd({ ...inv.common, name, url }, inv.deps);
      printResult(inv.deps.io, inv.out, r, () => [`registry ${r.name} -> ${r.url} (${r.agents} agents)${inv.common.dryRun ? " (dry run: not saved)" : ""}`]);
    });
  cmd
    .command("list")
    .alias("ls")
    .description("list the registries in lookup order")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryList } = await import("../operations/registry.js");
      const r = await runRegistryList(inv.common, inv.deps);
      printResult(inv.deps.io, inv.out, { registries: r }, () => table([["NAME", "URL"], ...r.map((x) => [x.name, x.url])]));
    });
  cmd
    .command("remove")
    .alias("rm")
    .description("remove a registry from the manifest")
    .argument("<name>")
    .option("--dry-run", "change nothing")
    .action(async (name: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryRemove } = await import("../operations/registry.js");
      const r = await runRegistryRemove({ ...inv.common, name }, inv.deps);
      printResult(inv.deps.io, inv.out, r, () => [`removed registry ${r.name} (${r.url})`]);
    });
  cmd
    .command("update")
    .description("fetch the newest registry index now")
    .argument("[names...]")
    .action(async (names: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryUpdate } = await import("../operations/registry.js");
      const r = await runRegistryUpdate({ ...inv.common, names }, inv.deps);
      printResult(inv.deps.io, inv.out, { registries: r }, () =>
        table([["NAME", "AGENTS", "COMMIT"], ...r.map((x) => [x.name, String(x.agents ?? "-"), x.commit?.slice(0, 12) ?? "bundled"])]),
      );
    });
  return cmd;
}
