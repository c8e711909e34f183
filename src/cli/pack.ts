import path from "node:path";
import { packJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { PackOptions, PackResult } from "../operations/pack.js";
import { invocation } from "./shared.js";
import { printResult } from "./output.js";

type Run = (o: PackOptions, deps: Deps) => Promise<PackResult>;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** "3 agents", or with plugins "3 agents and 1 plugin (24 files and entries)". */
function packed(r: PackResult): string {
  if (r.plugins.length === 0) return count(r.agents.length, "agent");
  const files = r.plugins.reduce((n, p) => n + p.files, 0);
  return `${r.agents.length ? `${count(r.agents.length, "agent")} and ` : ""}${count(r.plugins.length, "plugin")} (${files} files and entries)`;
}

export function packCommand(deps: Deps, run?: Run): Command {
  return new Command("pack")
    .description("write the lockfile and every locked agent and plugin into one .tgz, for air-gapped installs and CI caches (install --from FILE)")
    .option("-o, --output <file>", "where to write the bundle (default agentpkg-bundle.tgz)")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/pack.js")).runPack;
      const output = typeof inv.flags.output === "string" ? inv.flags.output : undefined;
      const r = await fn({ ...inv.common, output }, inv.deps);
      printResult(inv.deps.io, inv.out, packJson(r), () => [
        `packed ${packed(r)} into ${path.relative(inv.deps.cwd, r.file) || r.file} (${r.bytes} bytes, sha256 ${r.sha256.slice(0, 12)}…)`,
        ...(r.fetched.length ? [`read from their registries (not in the local store): ${r.fetched.join(", ")}`] : []),
      ]);
    });
}
