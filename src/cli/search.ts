import { searchJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { SearchOptions, SearchResult } from "../operations/inspect/search.js";
import { invocation } from "./shared.js";
import { printNotes, printResult, table } from "./output.js";

type Run = (o: SearchOptions, deps: Deps) => Promise<SearchResult>;

/** One line of a description for a table cell. */
function oneLine(text: string, max = 72): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

/** What a hit is, when it is more than an agent: `plugin`, `agent of plugin kit`, `command of plugin kit`. */
function describeHit(h: SearchResult["results"][number]): string {
  if (h.type === "plugin") return "plugin";
  return h.plugin ? `${h.type} of plugin ${h.plugin}` : "";
}

export function searchCommand(deps: Deps, run?: Run): Command {
  return new Command("search")
    .description("find agents and plugins by name and description (and plugins' commands by name) in the configured registries")
    .argument("[query...]", "words to look for (none: list everything)")
    .option("--registry <name>", "search only this registry")
    .action(async (words: string[], _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/search.js")).runSearch;
      const registry = typeof inv.flags.registry === "string" ? inv.flags.registry : undefined;
      const r = await fn({ ...inv.common, query: words.join(" "), ...(registry !== undefined ? { registry } : {}) }, inv.deps);
      printNotes(inv.deps.io, inv.out, r.warnings);
      printResult(inv.deps.io, inv.out, searchJson(r), () => {
        if (r.results.length === 0) return [r.query ? `nothing matches "${r.query}"` : `no agents or plugins in ${r.registries.join(", ") || "any registry"}`];
        const rows = r.results.map((h) => {
          const what = describeHit(h);
          const tag = [...(h.deprecated ? ["deprecated"] : []), ...(what ? [what] : [])];
          const text = tag.length ? `(${tag.join(", ")}) ${h.description}` : h.description;
          return [h.name, h.version ?? "-", h.registry, oneLine(text.trim())];
        });
        const n = r.results.length;
        return [...table([["NAME", "VERSION", "REGISTRY", "DESCRIPTION"], ...rows]), ...(r.query ? [] : [`${n} result${n === 1 ? "" : "s"} in ${r.registries.join(", ")}`])];
      });
    });
}
