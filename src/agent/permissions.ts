import { hookPrograms, mcpPrograms } from "./programs.js";
import { boundedStableJson, own } from "../util/json.js";
import { MAX_YAML_EXPANSION } from "../util/limits.js";

export interface PermissionChange {
  field: string;
  kind: "tools-added" | "tools-removed" | "tools-unrestricted" | "tools-restricted" | "changed" | "program-added" | "program-removed" | "audit";
  detail: string;
  risky: boolean;
  added?: string[];
  removed?: string[];
  /** kind "audit": the finding of `agentpkg audit` this change shows */
  finding?: { rule: string; severity: string; file: string; line: number };
}

/**
 * Normalizes a `tools`-style value to a list of tool names.
 * - absent / null / blank string → undefined (the agent inherits every tool)
 * - `*` anywhere → "*" (every tool)
 * - comma- or whitespace-separated string, or YAML list → deduplicated list;
 *   parenthesised patterns such as `Bash(git diff:*)` are kept intact.
 */
export function normalizeTools(value: unknown): string[] | "*" | undefined {
  if (value === undefined || value === null) return undefined;
  let tokens: string[];
  if (typeof value === "string") {
    if (value.trim() === "") return undefined;
    tokens = tokenize(value);
  } else if (Array.isArray(value)) {
    tokens = value.filter((v) => v !== null && v !== undefined).flatMap((v) => tokenize(String(v)));
  } else {
    return undefined;
  }
  if (tokens.includes("*")) return "*";
  return [...new Set(tokens)];
}

/** Splits on commas/whitespace outside parentheses. */
function tokenize(input: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  const flush = (): void => {
    const tok = cur.trim();
    cur = "";
    if (!tok) return;
    // "Bash (git status)" → attach the pattern to the preceding tool name.
    const prev = out[out.length - 1];
    if (tok.startsWith("(") && prev !== undefined && !prev.includes("(")) out[out.length - 1] = prev + tok;
    else out.push(tok);
  };
  for (const ch of input) {
    if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === "," || /\s/.test(ch))) flush();
    else cur += ch;
  }
  flush();
  return out;
}

const TOOL_RISKS: Record<string, string> = {
  Bash: "can run any shell command",
  Write: "can create or overwrite files",
  Edit: "can modify files",
  MultiEdit: "can modify files",
  NotebookEdit: "can modify notebooks",
  WebFetch: "can fetch URLs over the network",
  WebSearch: "can search the web",
  Task: "can launch other agents",
  Agent: "can launch other agents",
};

/** Why a tool is risky, or undefined if it is not considered risky. */
export function toolRisk(tool: string): string | undefined {
  const paren = tool.indexOf("(");
  const name = paren >= 0 ? tool.slice(0, paren).trim() : tool;
  if (name.startsWith("mcp__")) return "is an MCP server tool";
  if (name === "Bash" && paren >= 0) return `can run shell commands matching ${tool.slice(paren)}`;
  return own(TOOL_RISKS, name); // a tool named "constructor" is not a risk description
}

const SENSITIVE_FIELDS: ReadonlyArray<[field: string, risky: boolean]> = [
  ["permissionMode", true],
  ["hooks", true],
  ["mcpServers", true],
  ["model", false],
];

/** Permission-relevant differences between two parsed frontmatters. */
export function permissionChanges(
  oldFrontmatter: Record<string, unknown>,
  newFrontmatter: Record<string, unknown>,
): PermissionChange[] {
  const changes = toolChanges(normalizeTools(oldFrontmatter.tools), normalizeTools(newFrontmatter.tools));
  changes.push(...disallowedChanges(oldFrontmatter.disallowedTools, newFrontmatter.disallowedTools));
  for (const [field, risky] of SENSITIVE_FIELDS) {
    const before = Object.hasOwn(oldFrontmatter, field) ? (oldFrontmatter[field] ?? undefined) : undefined;
    const after = Object.hasOwn(newFrontmatter, field) ? (newFrontmatter[field] ?? undefined) : undefined;
    // compared within a bound: a value that expands past it (a YAML alias bomb) counts as changed
    const b = boundedStableJson(before, MAX_YAML_EXPANSION);
    const a = boundedStableJson(after, MAX_YAML_EXPANSION);
    if (a !== undefined && a === b) continue;
    let detail = `${field}: ${summarize(before)} -> ${summarize(after)}`;
    if (summarize(before) === summarize(after)) detail += " (contents changed)";
    changes.push({ field, kind: "changed", detail, risky });
    changes.push(...programChanges(field, before, after));
  }
  return changes;
}

/**
 * The programs a `hooks` or `mcpServers` value runs, one line each: `PreToolUse: curl ... | sh`,
 * `server: node x.js` or `server: https://...` (a bounded walk: see agent/programs.ts).
 */
export function programsOf(field: string, value: unknown): string[] {
  if (field === "mcpServers") return mcpPrograms(value).map((s) => `${s.name}: ${s.url ?? (s.commandLine || "(no command)")}`);
  return hookPrograms(value).map((h) => `${h.event}: ${h.command ?? h.prompt}`);
}

/** Each program a hooks or mcpServers change starts running (risky) or stops running. */
function programChanges(field: string, before: unknown, after: unknown): PermissionChange[] {
  if (field !== "hooks" && field !== "mcpServers") return [];
  const was = new Set(programsOf(field, before));
  const now = programsOf(field, after);
  const label = field === "hooks" ? "hook" : "MCP server";
  return [
    ...now.filter((p) => !was.has(p)).map((p) => ({ field, kind: "program-added" as const, risky: true, detail: `${label} ${p}` })),
    ...[...was].filter((p) => !now.includes(p)).map((p) => ({ field, kind: "program-removed" as const, risky: false, detail: `${label} ${p}` })),
  ];
}

/** Permission modes that let an agent act without Claude Code asking first. */
const UNASKED_MODES = new Set(["acceptEdits", "bypassPermissions", "auto"]);

/**
 * What a newly installed agent may do. Programs it runs by itself (hooks, MCP servers) and a permission
 * mode that skips Claude Code's questions need a yes; its tools are shown, and Claude Code asks before each
 * use of a risky one unless the user's own permissions allow it.
 */
export function firstInstallChanges(fm: Record<string, unknown>): PermissionChange[] {
  const changes: PermissionChange[] = [];
  const tools = normalizeTools(fm.tools);
  if (tools === undefined || tools === "*") changes.push({ field: "tools", kind: "tools-unrestricted", risky: false, detail: "tools: all (no tools list: inherits every tool, MCP tools included)" });
  else {
    const reasons = tools.flatMap((t) => (toolRisk(t) ? [`${t} ${toolRisk(t)}`] : []));
    if (reasons.length) changes.push({ field: "tools", kind: "tools-added", risky: false, added: tools, detail: `tools: ${tools.join(", ")} (${reasons.join("; ")})` });
  }
  const mode = fm.permissionMode;
  if (typeof mode === "string" && UNASKED_MODES.has(mode)) changes.push({ field: "permissionMode", kind: "changed", risky: true, detail: `permissionMode: ${mode} (acts without asking)` });
  for (const field of ["hooks", "mcpServers"]) changes.push(...programChanges(field, undefined, fm[field]));
  return changes;
}

function toolChanges(before: string[] | "*" | undefined, after: string[] | "*" | undefined): PermissionChange[] {
  const field = "tools";
  const beforeAll = before === undefined || before === "*";
  const afterAll = after === undefined || after === "*";
  if (beforeAll && afterAll) return [];
  if (afterAll) {
    const was = (before as string[]).join(", ") || "(none)";
    return [{ field, kind: "tools-unrestricted", risky: true, detail: `tools: all (was ${was}; inherits every tool)` }];
  }
  if (beforeAll) {
    const list = after.join(", ") || "(none)";
    return [{ field, kind: "tools-restricted", risky: false, detail: `tools: restricted to ${list} (was all tools)` }];
  }
  const added = after.filter((t) => !before.includes(t));
  const removed = before.filter((t) => !after.includes(t));
  const out: PermissionChange[] = [];
  if (added.length > 0) {
    const reasons = added.flatMap((t) => {
      const why = toolRisk(t);
      return why ? [`${t} ${why}`] : [];
    });
    const suffix = reasons.length > 0 ? ` (${reasons.join("; ")})` : "";
    out.push({ field, kind: "tools-added", risky: reasons.length > 0, added, detail: `tools: ${added.join(", ")}${suffix}` });
  }
  if (removed.length > 0) {
    out.push({ field, kind: "tools-removed", risky: false, removed, detail: `tools: ${removed.join(", ")}` });
  }
  return out;
}

function disallowedChanges(beforeRaw: unknown, afterRaw: unknown): PermissionChange[] {
  const asList = (v: unknown): string[] => {
    const n = normalizeTools(v);
    return n === undefined ? [] : n === "*" ? ["*"] : n;
  };
  const before = asList(beforeRaw);
  const after = asList(afterRaw);
  const removed = before.filter((t) => !after.includes(t));
  const added = after.filter((t) => !before.includes(t));
  const field = "disallowedTools";
  const out: PermissionChange[] = [];
  if (removed.length > 0) {
    const detail = `disallowedTools: ${removed.join(", ")} no longer disallowed`;
    out.push({ field, kind: "changed", risky: true, removed, detail });
  }
  if (added.length > 0) {
    out.push({ field, kind: "changed", risky: false, added, detail: `disallowedTools: now disallows ${added.join(", ")}` });
  }
  return out;
}

/** True when any change needs explicit user confirmation. */
export function requiresConfirmation(changes: readonly PermissionChange[]): boolean {
  return changes.some((c) => c.risky);
}

/** One-line human description, e.g. `+ tools: Bash (Bash can run any shell command)`. */
export function describePermissionChange(c: PermissionChange): string {
  let sign = "~";
  if (c.kind === "tools-added" || c.kind === "tools-unrestricted" || c.kind === "program-added") sign = "+";
  else if (c.kind === "tools-removed" || c.kind === "tools-restricted" || c.kind === "program-removed") sign = "-";
  else if (c.field === "disallowedTools") sign = c.removed ? "+" : "-";
  else if (c.kind === "audit") sign = "!";
  return `${sign} ${c.detail}`;
}

const MAX_SUMMARY = 200;

/** A short, one-level description of a value: never walks nested values, never longer than MAX_SUMMARY. */
function summarize(value: unknown): string {
  if (value === undefined || value === null) return "(unset)";
  let text: string;
  if (Array.isArray(value)) {
    const scalars = value.length <= 50 && value.every((v) => v === null || typeof v !== "object");
    text = scalars ? `[${value.join(", ")}]` : `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  } else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === "object") text = `{${Object.keys(value).slice(0, 50).join(", ")}}`;
  else text = String(value);
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
