// The audit's rule engine: what is risky in an agent, a plugin's command, skill or script, a hook group or
// an MCP server. Pure: it gets texts and values, never reads a file (operations/audit.ts does).
import { keyLines, parseAgent, splitFrontmatter, FRONTMATTER_FIRST_LINE } from "../agent/parse.js";
import { normalizeTools } from "../agent/permissions.js";
import { groupPrograms, hookPrograms, mcpPrograms, serverProgram, type HookProgram } from "../agent/programs.js";
import { downloadExec, sendsSecret } from "./commands.js";
import { unpinnedPackages } from "./runners.js";
import { promptRisks } from "./prompt.js";
import { ruleOf, SEVERITIES, type AuditSeverity, type RuleId } from "./rules.js";
import { lineOf, linesOf, visible } from "./text.js";
import { hiddenCharacters, latinLookalike, mixedScripts, PRINTABLE_ASCII, scriptsOf, skeleton } from "./unicode.js";

export interface Finding {
  rule: RuleId;
  severity: AuditSeverity;
  /** the file, relative to the scope root (for a hook group or MCP server: the settings file holding it) */
  file: string;
  /** 1-based */
  line: number;
  message: string;
  /** a hook group or MCP server: its key in the file, e.g. `hooks/SessionStart/1a2b3c4d5e6f` */
  entry?: string;
}

/** What is audited: a file's text by what Claude Code makes of it, or one entry of a shared settings file. */
export type AuditSubject =
  | { kind: "agent" | "markdown" | "script"; file: string; text: string }
  | { kind: "hook"; file: string; entry: string; event: string; value: unknown; hostText?: string }
  | { kind: "mcp"; file: string; entry: string; server: string; value: unknown; hostText?: string };

/** An agent's name field and file: the names other agents must not pass for. */
export interface AgentName {
  name: string;
  file: string;
}

export interface AuditContext {
  /** every agent of the scope (installed or not): a name confusable with one of these is reported */
  agents?: readonly AgentName[];
}

/** Findings per rule and file at most; the last one says how many more there were. */
const MAX_PER_RULE = 10;

type Hit = { rule: RuleId; severity?: AuditSeverity; line: number; message: string };

export function auditSubject(s: AuditSubject, ctx: AuditContext = {}): Finding[] {
  const hits: Hit[] = [];
  if (s.kind === "hook" || s.kind === "mcp") hits.push(...auditEntry(s));
  else if (s.kind === "script") hits.push(...auditScript(s.text));
  else hits.push(...auditMarkdown(s.file, s.text, s.kind === "agent", ctx));
  const entry = s.kind === "hook" || s.kind === "mcp" ? { entry: s.entry } : {};
  const findings = hits.map((h): Finding => ({ rule: h.rule, severity: h.severity ?? ruleOf(h.rule).severity, file: s.file, line: h.line, message: h.message, ...entry }));
  return capped(findings).sort(byPlace);
}

/** Worst first within a line; by line within a file. */
export const byPlace = (a: Finding, b: Finding): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);

function capped(findings: Finding[]): Finding[] {
  const byRule = new Map<RuleId, Finding[]>();
  for (const f of findings) {
    const list = byRule.get(f.rule);
    if (list) list.push(f);
    else byRule.set(f.rule, [f]);
  }
  const out: Finding[] = [];
  for (const list of byRule.values()) {
    // keep the worst ones when there are too many
    const kept = list.length <= MAX_PER_RULE ? list : [...list].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.line - b.line).slice(0, MAX_PER_RULE);
    if (list.length > MAX_PER_RULE) {
      const last = kept[kept.length - 1]!;
      kept[kept.length - 1] = { ...last, message: `${last.message} (and ${list.length - MAX_PER_RULE} more like it in this file)` };
    }
    out.push(...kept);
  }
  return out;
}

// --- markdown: agents, commands, skills, output styles ---------------------------------------------------------

function auditMarkdown(file: string, text: string, isAgent: boolean, ctx: AuditContext): Hit[] {
  const hits: Hit[] = [...hiddenCharacters(text)];
  const split = splitFrontmatter(text);
  const yamlLines = split.kind === "ok" ? split.yamlLines : [];
  const bodyFirst = split.kind === "ok" ? yamlLines.length + FRONTMATTER_FIRST_LINE + 1 : 1;
  const body = split.kind === "ok" ? split.body : text;
  const bodyLines = linesOf(body, bodyFirst);

  // `!`cmd`` lines of commands and skills run when they are invoked: judged as commands
  const ran = new Set<number>();
  if (!isAgent) {
    for (const { n, text: line } of bodyLines) {
      for (const m of line.matchAll(/!`([^`]+)`/g)) {
        const found = commandHits(m[1]!, n, "a `!` command line");
        if (found.length) ran.add(n);
        hits.push(...found);
      }
    }
  }
  hits.push(...promptRisks(linesOf(yamlLines.join("\n"), FRONTMATTER_FIRST_LINE)));
  hits.push(...promptRisks(bodyLines, { downloadRule: true }).filter((h) => !(h.rule === "download-exec-text" && ran.has(h.line))));

  if (split.kind !== "ok") return hits;
  const parsed = parseAgent(text);
  if (parsed.problems.some((p) => p.code === "yaml-invalid" || p.code === "frontmatter-not-mapping" || p.code === "yaml-too-large")) return hits;
  const fm = parsed.frontmatter;
  const lines = keyLines(yamlLines);
  const at = (key: string) => lines.get(key) ?? lines.get("name") ?? 1;
  hits.push(...nameHits(file, fm.name, at("name"), isAgent ? ctx.agents : undefined));
  if (!isAgent) return hits;
  hits.push(...permissionModeHits(fm.permissionMode, at("permissionMode")));
  hits.push(...toolHits(fm, at("tools")));
  const locate = (cmd: string, key: string) => lineOf(text, cmd.trim().slice(0, 40)) ?? at(key);
  for (const p of hookPrograms(fm.hooks)) {
    if (p.command !== undefined) hits.push(...commandHits(p.command, locate(p.command, "hooks"), `hook ${p.event}`));
    if (p.prompt !== undefined) hits.push(...promptHits(p.prompt, locate(p.prompt.split("\n")[0]!, "hooks")));
  }
  for (const s of mcpPrograms(fm.mcpServers)) if (s.command !== undefined) hits.push(...commandHits(s.commandLine, locate(s.command, "mcpServers"), `MCP server ${visible(s.name, 40)}`));
  return hits;
}

function nameHits(file: string, raw: unknown, line: number, agents: readonly AgentName[] | undefined): Hit[] {
  if (typeof raw !== "string" || raw.trim() === "") return [];
  const name = raw.trim();
  const shown = visible(name, 60);
  const hits: Hit[] = [];
  const mixed = mixedScripts(name);
  const lookalike = latinLookalike(name);
  if (mixed) {
    hits.push({ rule: "mixed-script-name", line, message: `name "${shown}" mixes ${mixed.join(" and ")} letters${lookalike ? `; it reads as "${visible(lookalike, 60)}"` : ""}` });
  }
  const twin = agents && bySkeleton(agents).get(skeleton(name))?.find((a) => a.file !== file && a.name !== name && !(PRINTABLE_ASCII.test(name) && !PRINTABLE_ASCII.test(a.name)));
  if (twin) {
    hits.push({ rule: "confusable-name", line, message: `name "${shown}" looks like "${visible(twin.name, 60)}", the agent in ${visible(twin.file, 80)}` });
  } else if (lookalike && !mixed) {
    const scripts = [...scriptsOf(name)].filter((s) => s !== "Latin");
    const how = scripts.length ? `written in ${scripts.join(" and ")} letters that look like` : "with invisible characters, it looks exactly like";
    hits.push({ rule: "confusable-name", line, message: `name "${shown}" is ${how} "${visible(lookalike, 60)}"` });
  }
  return hits;
}

const skeletons = new WeakMap<readonly AgentName[], Map<string, AgentName[]>>();

/** The agents by skeleton, computed once per list (a scope's agents are compared with each of them). */
function bySkeleton(agents: readonly AgentName[]): Map<string, AgentName[]> {
  let index = skeletons.get(agents);
  if (!index) {
    index = new Map();
    for (const a of agents) {
      const key = skeleton(a.name);
      const list = index.get(key);
      if (list) list.push(a);
      else index.set(key, [a]);
    }
    skeletons.set(agents, index);
  }
  return index;
}

const MODES: Record<string, [RuleId, string]> = {
  bypassPermissions: ["permission-mode-bypass", "runs every tool call, shell commands included, without asking"],
  auto: ["permission-mode-auto", "runs tool calls without asking; a classifier decides"],
  acceptEdits: ["permission-mode-accept-edits", "edits files without asking"],
};

function permissionModeHits(mode: unknown, line: number): Hit[] {
  if (typeof mode !== "string" || !Object.hasOwn(MODES, mode)) return [];
  const [rule, what] = MODES[mode]!;
  return [{ rule, line, message: `permissionMode: ${mode} ${what}` }];
}

function toolHits(fm: Record<string, unknown>, line: number): Hit[] {
  const tools = normalizeTools(fm.tools);
  if (tools !== undefined && tools !== "*") return [];
  const denied = normalizeTools(fm.disallowedTools);
  const bashDenied = denied === "*" || (denied ?? []).includes("Bash");
  const hasMcp = mcpPrograms(fm.mcpServers).length > 0 || (Array.isArray(fm.mcpServers) && fm.mcpServers.length > 0);
  if (bashDenied && !hasMcp) return [];
  const what = tools === undefined ? "no tools list: the agent inherits every tool" : "tools: * gives the agent every tool";
  const which = [bashDenied ? "" : "Bash", hasMcp ? "the tools of its MCP servers" : "MCP tools"].filter(Boolean).join(" and ");
  return [{ rule: "unrestricted-tools", line, message: `${what}, ${which} included; list the tools it needs` }];
}

// --- hooks and MCP servers ---------------------------------------------------------------------------------------

/** What one command line does that the audit reports. */
function commandHits(cmd: string, line: number, label: string): Hit[] {
  const hits: Hit[] = [];
  const run = downloadExec(cmd);
  if (run) hits.push({ rule: "download-exec", line, message: `${label} ${run.how}: ${visible(run.at, 80)}` });
  const secret = sendsSecret(cmd);
  if (secret) hits.push({ rule: "secret-exfiltration", line, message: `${label} ${secret.how}: ${visible(secret.at, 80)}` });
  for (const u of unpinnedPackages(cmd)) hits.push({ rule: "unpinned-package-exec", line, message: `${label}: ${u}` });
  return hits;
}

/** A prompt hook's text, as prompt text at one line. */
function promptHits(prompt: string, line: number): Hit[] {
  return promptRisks(linesOf(prompt).map((l) => ({ n: line, text: l.text })));
}

function auditEntry(s: Extract<AuditSubject, { kind: "hook" | "mcp" }>): Hit[] {
  const name = s.kind === "hook" ? s.event : s.server;
  const host = s.hostText ?? "";
  const entryLine = lineOf(host, JSON.stringify(name)) ?? 1;
  const locate = (text: string) => lineOf(host, JSON.stringify(text).slice(1, -1).slice(0, 60), entryLine) ?? entryLine;
  // the entry's strings, wherever they are in the file: one line of JSON, reported at the entry
  const hits: Hit[] = hiddenCharacters(JSON.stringify(s.value) ?? "").map((h) => ({ ...h, line: entryLine }));
  if (s.kind === "hook") {
    const programs: HookProgram[] = [];
    groupPrograms(s.event, s.value, programs);
    for (const p of programs) {
      if (p.command !== undefined) hits.push(...commandHits(p.command, locate(p.command), `hook ${s.event}`));
      if (p.prompt !== undefined) hits.push(...promptHits(p.prompt, locate(p.prompt.split("\n")[0]!)));
    }
  } else {
    const p = serverProgram(s.server, s.value);
    if (p?.command !== undefined) hits.push(...commandHits(p.commandLine, locate(p.command), `MCP server ${visible(s.server, 40)}`));
  }
  return hits;
}

// --- scripts and other files ---------------------------------------------------------------------------------------

function auditScript(text: string): Hit[] {
  const hits: Hit[] = [...hiddenCharacters(text)];
  for (const { n, text: line } of linesOf(text)) {
    if (/^\s*(?:#|\/\/)/.test(line)) continue; // a comment runs nothing
    const run = downloadExec(line);
    if (run) hits.push({ rule: "download-exec-text", line: n, message: `${run.how}: ${visible(run.at, 80)}` });
    const secret = sendsSecret(line);
    if (secret) hits.push({ rule: "secret-exfiltration", line: n, message: `${secret.how}: ${visible(secret.at, 80)}` });
  }
  return hits;
}

/** Whether bytes look like text worth auditing (binary files, with a NUL early on, are not). */
export function isText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}

/** What the audit makes of a file of kind `kind` (agent, command, skill, output-style or file), or undefined (binary). */
export function fileSubject(file: string, kind: string, bytes: Buffer): AuditSubject | undefined {
  if (!isText(bytes)) return undefined;
  const text = bytes.toString("utf8");
  if (kind === "agent") return { kind: "agent", file, text };
  if (kind === "command" || kind === "output-style" || file.endsWith(".md")) return { kind: "markdown", file, text };
  return { kind: "script", file, text };
}
