import { publishJson } from "./json.js";
import { Command, Option } from "commander";
import type { Deps } from "../util/deps.js";
import type { Bump, PublishOptions, PublishResult } from "../authoring/publish.js";
import { invocation } from "./shared.js";
import { printNotes, printResult } from "./output.js";

type Run = (o: PublishOptions, deps: Deps) => Promise<PublishResult>;

export function publishCommand(deps: Deps, run?: Run): Command {
  return new Command("publish")
    .description("add an agent file as a new immutable version to a registry: file + registry.json + commit + tag (pushed when remote)")
    .argument("<file>", "the agent file; its name field is the agent's name")
    .requiredOption("-r, --registry <dir-or-url>", "a registry checkout, a git url (cloned, committed and pushed) or a configured registry name")
    .option("--version <version>", "the version to publish (default for a new agent: 1.0.0)")
    .addOption(new Option("--bump <part>", "next version after the highest published one").choices(["patch", "minor", "major"]))
    .option("--changelog <text>", "what changed in this version")
    .option("--tag <tag>", "point this dist-tag at the version instead of latest (e.g. next)")
    .option("--allow-older", "allow a version lower than the highest published one")
    .option("--dry-run", "show what would be published, change nothing")
    .action(async (file: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../authoring/publish.js")).runPublish;
      const f = inv.flags;
      const str = (v: unknown) => (typeof v === "string" ? v : undefined);
      const r = await fn(
        {
          file,
          registry: String(f.registry),
          version: str(f.version),
          bump: str(f.bump) as Bump | undefined,
          changelog: str(f.changelog),
          tag: str(f.tag),
          allowOlder: f.allowOlder === true,
          dryRun: inv.common.dryRun,
        },
        inv.deps,
      );
      printNotes(inv.deps.io, inv.out, r.warnings.map((p) => `${file}${p.line ? `:${p.line}` : ""}: ${p.message}`));
      printResult(inv.deps.io, inv.out, publishJson(r), () => {
        const what = `${r.name}@${r.version} -> ${r.registry} (${r.path}, sha256 ${r.sha256.slice(0, 12)}…)`;
        const tags = r.tags.length ? `; tags: ${r.tags.join(", ")}` : "";
        const index = r.index.length ? `; index: ${r.index.join(", ")}` : "";
        if (r.dryRun) return [`would publish ${what}${tags}${index} (dry run: nothing written)`];
        return [`published ${what}${tags}${index}`, `commit ${r.commit?.slice(0, 12)}${r.signed ? " (signed)" : ""}, tag ${r.gitTag}${r.pushed ? ", pushed" : ""}`];
      });
    });
}
