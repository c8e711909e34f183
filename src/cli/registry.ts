import { registryAddJson, registryIndexJson, registryInitJson, registryListJson, registryPackJson, registryRemoveJson, registryUpdateJson } from "./json.js";
import { Command } from "commander";
import { describeCounts } from "./render-plan.js";
import type { Deps } from "../util/deps.js";
import { invocation } from "./shared.js";
import { redactCredentials } from "../util/redact.js";
import { printNotes, printResult, table } from "./output.js";

export function registryCommand(deps: Deps): Command {
  const cmd = new Command("registry").description("manage the registries agents are installed from");
  cmd
    .command("add")
    .description("add a git registry (https, ssh, git@host:path, file:// or a local path) to the manifest")
    .argument("<name>", "a short name, used as <name>/agent")
    .argument("<url>", "git url (or OWNER/NAME on GitHub) of a registry (registry.json), a Claude Code plugin marketplace or a plain repository of agent files")
    .option("--type <type>", "registry, marketplace or plain (default: detected from the repository)")
    .option("--allowed-signers <file>", "require every commit installed from it to be signed by one of these SSH keys (git's allowed-signers format); saved in the manifest")
    .option("--dry-run", "check the registry, change nothing")
    .action(async (name: string, url: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryAdd } = await import("../operations/registry.js");
      const type = typeof inv.flags.type === "string" ? inv.flags.type : undefined;
      const allowedSigners = typeof inv.flags.allowedSigners === "string" ? inv.flags.allowedSigners : undefined;
      const r = await runRegistryAdd({ ...inv.common, name, url, type, allowedSigners }, inv.deps);
      const warnings = r.warnings ?? [];
      if (!inv.out.json) printNotes(inv.deps.io, inv.out, warnings.length > 10 ? [...warnings.slice(0, 10), `… and ${warnings.length - 10} more (see --json)`] : warnings);
      const external = r.externalPlugins ? `; ${r.externalPlugins} from other repositories, fetched when installed` : "";
      const holds = r.plugins !== undefined ? `${r.plugins} plugin${r.plugins === 1 ? "" : "s"}: ${describeCounts(r.parts ?? {}) || "no parts"}${external}` : `${r.agents} agent${r.agents === 1 ? "" : "s"}`;
      const signed = r.signer ? `; signed: ${r.allowedSigners} allowed key${r.allowedSigners === 1 ? "" : "s"}, head signed by ${r.signer.principal ?? r.signer.fingerprint} (${r.signer.fingerprint})` : "";
      printResult(inv.deps.io, inv.out, registryAddJson(r, inv.common.dryRun === true), () => [
        `registry ${r.name} -> ${redactCredentials(r.url)} (${r.type}, ${holds}${signed})${inv.common.dryRun ? " (dry run: not saved)" : ""}`,
        ...(r.savedIn ? [`saved in ${r.savedIn}`] : []),
      ]);
    });
  cmd
    .command("list")
    .alias("ls")
    .description("list the registries in lookup order")
    .action(async (_o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryList } = await import("../operations/registry.js");
      const r = await runRegistryList(inv.common, inv.deps);
      // a SIGNED column only when some registry requires signatures: other projects' output is unchanged
      const signed = r.some((x) => x.allowedSigners !== undefined);
      const row = (x: (typeof r)[number]) => [x.name, x.type ?? "unknown", redactCredentials(x.url), ...(signed ? [x.allowedSigners ? `${x.allowedSigners} key${x.allowedSigners === 1 ? "" : "s"}` : "-"] : [])];
      printResult(inv.deps.io, inv.out, registryListJson(r), () => table([["NAME", "KIND", "URL", ...(signed ? ["SIGNED BY"] : [])], ...r.map(row)]));
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
      printResult(inv.deps.io, inv.out, registryRemoveJson(r, inv.common.dryRun === true), () => [
        `${inv.common.dryRun ? "would remove" : "removed"} registry ${r.name} (${redactCredentials(r.url)})${inv.common.dryRun ? " (dry run: not saved)" : ""}`,
        ...(r.savedIn ? [`saved in ${r.savedIn}`] : []),
      ]);
    });
  cmd
    .command("update")
    .description("fetch the newest registry index now")
    .argument("[names...]")
    .action(async (names: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryUpdate } = await import("../operations/registry.js");
      const r = await runRegistryUpdate({ ...inv.common, names }, inv.deps);
      printResult(inv.deps.io, inv.out, registryUpdateJson(r), () =>
        table([["NAME", "AGENTS", "COMMIT"], ...r.map((x) => [x.name, String(x.agents ?? "-"), x.commit?.slice(0, 12) ?? "bundled"])]),
      );
    });
  cmd
    .command("init")
    .description("create a registry repository (registry.json and its sharded index, README, a sample agent) and make its first commit")
    .argument("[dir]", "where (default: the current directory)")
    .option("--name <name>", "the registry's name (default: the folder's name)")
    .action(async (dir: string | undefined, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryInit } = await import("../authoring/registry-init.js");
      const name = typeof inv.flags.name === "string" ? inv.flags.name : undefined;
      const r = await runRegistryInit({ dir, name }, inv.deps);
      printResult(inv.deps.io, inv.out, registryInitJson(r), () => [
        `created registry ${r.name} in ${r.dir} (${r.files.join(", ")}), commit ${r.commit.slice(0, 12)}`,
        ...(r.skipped.length ? [`kept the existing ${r.skipped.join(", ")}`] : []),
        `next: agentpkg publish my-agent.md --registry ${r.dir}`,
      ]);
    });
  cmd
    .command("index")
    .description("write or refresh a registry's sharded index (index/config.json, index/<aa>/<name>.json) from its registry.json, and commit it")
    .argument("[dir]", "a registry checkout, a git url (cloned, committed and pushed) or a configured registry name (default: the current directory)")
    .option("--dry-run", "list the index files that would change, write nothing")
    .action(async (dir: string | undefined, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryIndex } = await import("../authoring/registry-index.js");
      const r = await runRegistryIndex({ registry: dir, dryRun: inv.common.dryRun }, inv.deps);
      const changes = r.written.length + r.removed.length;
      const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
      printResult(inv.deps.io, inv.out, registryIndexJson(r), () => [
        ...(r.dryRun ? [...r.written.map((f) => `would write ${f}`), ...r.removed.map((f) => `would remove ${f}`)] : []),
        changes === 0
          ? `the index of ${r.registry} is up to date (${n(r.agents, "agent")})`
          : `${r.dryRun ? "would index" : "indexed"} ${r.registry}: ${n(r.agents, "agent")}, ${n(r.written.length, "file")} written, ${r.removed.length} removed, ${r.unchanged} unchanged${r.dryRun ? " (dry run: nothing written)" : ""}`,
        ...(r.commit ? [`commit ${r.commit.slice(0, 12)}${r.pushed ? ", pushed" : ""}`] : []),
      ]);
    });
  cmd
    .command("pack")
    .description("make a deterministic .tgz of a registry repo (registry.json and the files it lists), installable with registry add NAME FILE.tgz")
    .argument("<dir>", "the registry's working tree")
    .option("-o, --output <file>", "where to write the archive (default registry.tgz)")
    .action(async (dir: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const { runRegistryPack } = await import("../authoring/registry-pack.js");
      const output = typeof inv.flags.output === "string" ? inv.flags.output : undefined;
      const r = await runRegistryPack({ dir, output }, inv.deps);
      printResult(inv.deps.io, inv.out, registryPackJson(r), () => [`packed ${r.agents} agents (${r.versions} versions) into ${r.file} (${r.bytes} bytes, sha256 ${r.sha256.slice(0, 12)}…)`]);
    });
  return cmd;
}
