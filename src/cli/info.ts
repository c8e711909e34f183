import { infoJson } from "./json.js";
import { Command } from "commander";
import type { Deps, Io } from "../util/deps.js";
import type { InfoOptions, InfoResult } from "../operations/inspect/info.js";
import { invocation } from "./shared.js";
import { paint, printNotes, printResult } from "./output.js";

type Run = (o: InfoOptions, deps: Deps) => Promise<InfoResult>;

const KIND_LABELS: Record<string, string> = { agent: "agents", command: "commands", skill: "skills", "output-style": "output styles", hook: "hooks", mcp: "MCP servers" };

function versionLines(io: Pick<Io, "color">, r: InfoResult): string[] {
  const tags = Object.entries(r.tags).map(([t, v]) => `${t}: ${v}`);
  const lines = [`tags: ${tags.join(", ") || "-"}`, "versions:"];
  for (const v of r.versions) {
    const marks = [...v.tags, ...(v.yanked ? [paint(io, "red", `yanked: ${v.yanked}`)] : [])];
    lines.push(`  ${v.version}${marks.length ? ` (${marks.join(", ")})` : ""}${v.changelog ? `  ${v.changelog}` : ""}`);
  }
  return lines;
}

/** What installing it costs every conversation, and how that is estimated. */
function contextLine(r: InfoResult): string[] {
  if (r.contextTokens === null) return [];
  const what = r.type === "plugin" ? "its agents', commands' and skills' names and descriptions" : "its name, description and tools";
  return [`context (${r.shown}): ~${r.contextTokens.toLocaleString("en-US")} tokens in every conversation once installed (${what}, as Claude Code lists them; characters / 4)`];
}

function agentLines(io: Pick<Io, "color">, r: InfoResult): string[] {
  const lines = [`${paint(io, "bold", r.name)}${r.latest ? `@${r.latest}` : ""}  (registry ${r.registry})`];
  if (r.plugin) lines.push(`from plugin ${r.plugin} (see it whole with agentpkg info --plugin ${r.registry}/${r.plugin})`);
  if (r.alsoPlugin) lines.push(`${r.registry} also has a plugin named ${r.name}: agentpkg info --plugin ${r.registry}/${r.name}`);
  if (r.deprecated) lines.push(paint(io, "yellow", `deprecated: ${r.deprecated}`));
  if (r.description) lines.push("", r.description.trim(), "");
  const tools = r.tools === null ? "(none listed: inherits every tool)" : r.tools === "*" ? "* (all)" : r.tools.join(", ") || "(empty list)";
  if (r.shown) lines.push(`tools (${r.shown}): ${tools}`, `model (${r.shown}): ${r.model ?? "(not set: inherit)"}`);
  return [...lines, ...contextLine(r), ...versionLines(io, r)];
}

function pluginLines(io: Pick<Io, "color">, r: InfoResult): string[] {
  const lines = [`${paint(io, "bold", r.name)}${r.latest ? `@${r.latest}` : ""}  (plugin, registry ${r.registry})`];
  if (r.deprecated) lines.push(paint(io, "yellow", `deprecated: ${r.deprecated}`));
  if (r.description) lines.push("", r.description.trim(), "");
  if (r.parts) {
    const kinds = Object.keys(r.parts);
    lines.push(`parts (${r.shown}):${kinds.length ? "" : " none"}`);
    for (const k of kinds) lines.push(`  ${KIND_LABELS[k] ?? k}: ${r.parts[k]!.join(", ")}`);
  }
  lines.push(...contextLine(r));
  lines.push(...versionLines(io, r), `install: agentpkg install --plugin ${r.registry}/${r.name} (or one part: agentpkg install ${r.name}:PART)`);
  return lines;
}

export function infoCommand(deps: Deps, run?: Run): Command {
  return new Command("info")
    .alias("show")
    .description("show an agent's (or a marketplace plugin's) versions, tags, description, tools, model, parts and changelog")
    .argument("<spec>", "an agent or plugin: name, registry/name, or name@version to describe that version")
    .option("--plugin", "describe the plugin of that name (also when an agent has the name)")
    .action(async (spec: string, _o, self: Command) => {
      const inv = invocation(self, deps);
      const fn = run ?? (await import("../operations/inspect/info.js")).runInfo;
      const r = await fn({ ...inv.common, spec, plugin: inv.flags.plugin === true }, inv.deps);
      const io = inv.deps.io;
      printNotes(io, inv.out, [...r.warnings, ...r.notes.map((n) => `plugin ${r.name}: ${n}`)]);
      printResult(io, inv.out, infoJson(r), () => (r.type === "plugin" ? pluginLines(io, r) : agentLines(io, r)));
    });
}
