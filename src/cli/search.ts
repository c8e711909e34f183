import { searchJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { SearchOptions, SearchResult } from "../operations/search.js";
import { invocation } from "./shared.js";
import { printNotes, printResult, table } from "./output.js";

type Run = (o: SearchOptions, deps: Deps) => Promise<SearchResult>;

/** One line of a description for a table cell. */
function oneLine(text: string, max = 72): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

export function searchCommand(deps: Deps, run?: Run): Command {
  return new Command("search")
    .description("find agents by name and description in the configured registries")
    .argument("<query...>", "words to look for")
    .action(async (words: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/search.js")).runSearch;
      const r = await fn({ ...inv.common, query: words.join(" ") }, inv.deps);
      printNotes(inv.deps.io, inv.out, r.warnings);
      printResult(inv.deps.io, inv.out, searchJson(r), () => {
        if (r.results.length === 0) return [`no agents match "${r.query}"`];
        const rows = r.results.map((h) => [
          h.name,
          h.version ?? "-",
          h.registry,
          h.deprecated ? `(deprecated) ${oneLine(h.description, 58)}` : oneLine(h.description),
        ]);
        return table([["NAME", "VERSION", "REGISTRY", "DESCRIPTION"], ...rows]);
      });
    });
}
