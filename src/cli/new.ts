import { newJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { NewOptions, NewResult } from "../authoring/new.js";
import { invocation } from "./shared.js";
import { printNotes, printResult } from "./output.js";

type Run = (o: NewOptions, deps: Deps) => Promise<NewResult>;

export function newCommand(deps: Deps, run?: Run): Command {
  return new Command("new")
    .description("create a new agent file from the template (asks for a description on a terminal)")
    .argument("<name>", "the agent's name: lowercase letters, digits and hyphens")
    .option("-d, --description <text>", "what the agent does and when Claude should use it")
    .option("-t, --tools <list>", 'comma-separated tools, or "*" for all (default: "Read, Grep, Glob")')
    .option("-m, --model <model>", "sonnet, opus, haiku, inherit or a full model id (default: inherit)")
    .option("--dir <dir>", "write into <dir> instead of .claude/agents")
    .option("-f, --force", "overwrite an existing file")
    .action(async (name: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../authoring/new.js")).runNew;
      const f = inv.flags;
      const str = (v: unknown) => (typeof v === "string" ? v : undefined);
      const r = await fn(
        {
          name,
          description: str(f.description),
          tools: str(f.tools),
          model: str(f.model),
          dir: str(f.dir),
          force: f.force === true,
          global: inv.common.global,
        },
        inv.deps,
      );
      printNotes(inv.deps.io, inv.out, r.warnings.map((p) => `${r.file}${p.line ? `:${p.line}` : ""}: ${p.message}`));
      printResult(inv.deps.io, inv.out, newJson(r), () => [
        `${r.overwritten ? "replaced" : "created"} ${r.file}`,
        `next: edit the prompt, then agentpkg validate ${r.file}`,
      ]);
    });
}
