import { registryEditJson } from "./json.js";
import { Command } from "commander";
import type { Deps, Io } from "../util/deps.js";
import type { DeprecateOptions, RegistryEditResult, YankOptions } from "../authoring/publish.js";
import { invocation, type Invocation } from "./shared.js";
import { printResult } from "./output.js";

const REGISTRY_HELP = "a registry checkout, a git url (cloned, committed and pushed) or a configured registry name";

function print(io: Io, inv: Invocation, r: RegistryEditResult, done: string): void {
  printResult(io, inv.out, registryEditJson(r), () => {
    const what = `${r.name}${r.version ? `@${r.version}` : ""}`;
    if (!r.changed) return [`${what}: nothing to change in ${r.registry}`];
    if (r.dryRun) return [`would mark ${what} ${done} in ${r.registry} (dry run: nothing written)`];
    const latest = r.tags.latest ? `; latest is ${r.tags.latest}` : "";
    return [`${what} ${done} in ${r.registry}${latest}`, `commit ${r.commit?.slice(0, 12)}${r.pushed ? ", pushed" : ""}`];
  });
}

export function yankCommand(deps: Deps, run?: (o: YankOptions, d: Deps) => Promise<RegistryEditResult>): Command {
  return new Command("yank")
    .description("withdraw a published version: new installs never resolve it, existing lockfiles keep working")
    .argument("<name@version>", "the version to yank")
    .requiredOption("-r, --registry <dir-or-url>", REGISTRY_HELP)
    .option("--reason <text>", "why (shown to users)")
    .option("--undo", "make the version installable again")
    .option("--dry-run", "change nothing")
    .action(async (spec: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../authoring/publish.js")).runYank;
      const f = inv.flags;
      const reason = typeof f.reason === "string" ? f.reason : undefined;
      const r = await fn({ spec, registry: String(f.registry), reason, undo: f.undo === true, dryRun: inv.common.dryRun }, inv.deps);
      print(inv.deps.io, inv, r, f.undo === true ? "no longer yanked" : "yanked");
    });
}

export function deprecateCommand(deps: Deps, run?: (o: DeprecateOptions, d: Deps) => Promise<RegistryEditResult>): Command {
  return new Command("deprecate")
    .description("mark a whole agent as deprecated, with a message for its users")
    .argument("<name>", "the agent")
    .requiredOption("-r, --registry <dir-or-url>", REGISTRY_HELP)
    .option("-m, --message <text>", "what to use instead, or why")
    .option("--undo", "remove the deprecation")
    .option("--dry-run", "change nothing")
    .action(async (name: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../authoring/publish.js")).runDeprecate;
      const f = inv.flags;
      const message = typeof f.message === "string" ? f.message : undefined;
      const r = await fn({ name, registry: String(f.registry), message, undo: f.undo === true, dryRun: inv.common.dryRun }, inv.deps);
      print(inv.deps.io, inv, r, f.undo === true ? "no longer deprecated" : "deprecated");
    });
}
