import { infoJson } from "./json.js";
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import type { InfoOptions, InfoResult } from "../operations/info.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult } from "./output.js";

type Run = (o: InfoOptions, deps: Deps) => Promise<InfoResult>;

export function infoCommand(deps: Deps, run?: Run): Command {
  return new Command("info")
    .alias("show")
    .description("show an agent's versions (yanked marked), tags, description, tools, model and changelog")
    .argument("<spec>", "an agent: name, registry/name, or name@version to describe that version's file")
    .action(async (spec: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/info.js")).runInfo;
      const r = await fn({ ...inv.common, spec }, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, r.warnings);
      printResult(io, inv.out, infoJson(r), () => {
        const lines = [`${paint(io, "bold", r.name)}${r.latest ? `@${r.latest}` : ""}  (registry ${r.registry})`];
        if (r.deprecated) lines.push(paint(io, "yellow", `deprecated: ${r.deprecated}`));
        if (r.description) lines.push("", r.description.trim(), "");
        const tools = r.tools === null ? "(none listed: inherits every tool)" : r.tools === "*" ? "* (all)" : r.tools.join(", ") || "(empty list)";
        if (r.shown) lines.push(`tools (${r.shown}): ${tools}`, `model (${r.shown}): ${r.model ?? "(not set: inherit)"}`);
        const tags = Object.entries(r.tags).map(([t, v]) => `${t}: ${v}`);
        lines.push(`tags: ${tags.join(", ") || "-"}`, "versions:");
        for (const v of r.versions) {
          const marks = [...v.tags, ...(v.yanked ? [paint(io, "red", `yanked: ${v.yanked}`)] : [])];
          lines.push(`  ${v.version}${marks.length ? ` (${marks.join(", ")})` : ""}${v.changelog ? `  ${v.changelog}` : ""}`);
        }
        return lines;
      });
    });
}
