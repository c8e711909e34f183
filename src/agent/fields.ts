// Per-field checks for agent frontmatter (what Claude Code requires, ignores, or drops).
import type { AgentProblem } from "./problem.js";
import { isKnownTool, normalizeTools, suggestTool } from "./tools.js";
import { isPlainObject } from "./yaml.js";

export const KNOWN_FIELDS: readonly string[] = [
  "name", "description", "tools", "disallowedTools", "model", "color", "permissionMode", "mcpServers",
  "hooks", "maxTurns", "skills", "initialPrompt", "effort", "memory", "background", "isolation",
];
export const COLORS: readonly string[] = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"];
export const MODEL_ALIASES: readonly string[] = ["sonnet", "opus", "haiku", "inherit"];
export const PERMISSION_MODES: readonly string[] = ["default", "acceptEdits", "plan", "auto", "dontAsk", "bypassPermissions"];
export const EFFORTS: readonly string[] = ["low", "medium", "high", "xhigh", "max"];
export const MEMORY_SCOPES: readonly string[] = ["user", "project", "local"];
export const ISOLATIONS: readonly string[] = ["worktree", "remote"];
export const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const LONG_DESCRIPTION = 1000;

export interface FieldCheck {
  name?: string;
  description?: string;
  tools?: string[] | "*";
  problems: AgentProblem[];
}

/** Lower-cased known key -> canonical spelling (e.g. `permissionmode` -> `permissionMode`). */
const CANONICAL = new Map(KNOWN_FIELDS.map((k) => [k.toLowerCase(), k]));

export function canonicalKey(key: string): string | undefined {
  return CANONICAL.get(key.toLowerCase());
}

export function checkFields(fm: Record<string, unknown>, lines: Map<string, number>, body: string): FieldCheck {
  const problems: AgentProblem[] = [];
  const out: FieldCheck = { problems };
  const add = (severity: AgentProblem["severity"], code: string, field: string, message: string): void => {
    const line = lines.get(field);
    problems.push({ severity, code, message, field, ...(line === undefined ? {} : { line }) });
  };
  const warn = (code: string, field: string, message: string): void => add("warning", code, field, message);
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(fm, k) && fm[k] !== undefined;

  // Keys: case-sensitive; unknown keys are ignored by Claude Code.
  for (const key of Object.keys(fm)) {
    if (KNOWN_FIELDS.includes(key)) continue;
    const canon = canonicalKey(key);
    if (canon && !has(canon)) {
      const required = canon === "name" || canon === "description";
      add(required ? "error" : "warning", required ? `${canon}-key-case` : "field-key-case", key,
        required
          ? `key \`${key}\` must be lowercase \`${canon}\``
          : `key \`${key}\` is ignored by Claude Code; spell it \`${canon}\``);
    } else {
      warn("field-unknown", key, `unknown field \`${key}\` is ignored by Claude Code`);
    }
  }
  const caseVariant = (canon: string): boolean => Object.keys(fm).some((k) => k !== canon && canonicalKey(k) === canon);

  // name (required)
  const name = fm["name"];
  if (!has("name")) {
    if (!caseVariant("name")) add("error", "name-missing", "name", "missing required field `name`; Claude Code will not load this agent");
  } else if (typeof name !== "string" || name.trim() === "") {
    add("error", "name-invalid", "name", "`name` must be a non-empty string");
  } else if (name.trim().startsWith("-")) {
    add("error", "name-invalid", "name", "`name` must not start with `-`");
  } else {
    out.name = name.trim();
    if (!NAME_PATTERN.test(out.name)) {
      warn("name-format", "name", `name \`${out.name}\` should be lowercase letters, digits and hyphens (e.g. \`${suggestName(out.name)}\`)`);
    }
  }

  // description (required)
  const desc = fm["description"];
  if (!has("description")) {
    if (!caseVariant("description")) add("error", "description-missing", "description", "missing required field `description`; Claude Code will not load this agent");
  } else if (typeof desc !== "string" || desc.trim() === "") {
    add("error", "description-invalid", "description", "`description` must be a non-empty string");
  } else {
    out.description = desc.replace(/\\n/g, "\n");
    if (desc.includes("\\n")) warn("description-escapes", "description", "description contains literal `\\n` escapes; Claude Code turns them into newlines, other tools may not");
    if (/<example>/i.test(desc)) warn("description-examples", "description", "description embeds <example> blocks; they are sent with every request that lists agents");
    if (out.description.length > LONG_DESCRIPTION) warn("description-long", "description", `description is ${out.description.length} characters; keep it under ~${LONG_DESCRIPTION}`);
  }

  // tools / disallowedTools
  for (const field of ["tools", "disallowedTools"] as const) {
    if (!has(field)) continue;
    const n = normalizeTools(fm[field]);
    if (n.shape === "invalid") {
      warn("tools-invalid", field, `\`${field}\` must be a list or a comma-separated string; Claude Code ignores it`);
      continue;
    }
    if (field === "tools") out.tools = n.tools;
    if (n.shape === "string" && n.tools !== "*") warn("tools-comma-string", field, `\`${field}\` is a comma-separated string; write tools as a YAML list (info)`);
    if (n.badEntries > 0) warn("tools-invalid", field, `\`${field}\` has ${n.badEntries} non-string entr${n.badEntries === 1 ? "y" : "ies"}, ignored`);
    if (Array.isArray(n.tools)) {
      for (const t of n.tools) {
        if (isKnownTool(t)) continue;
        const hint = suggestTool(t);
        warn("tool-unknown", field, `unknown tool \`${t}\`${hint ? ` (did you mean \`${hint}\`?)` : ""}`);
      }
    }
  }
  if (!has("tools")) warn("tools-missing", "tools", "no `tools` list: the agent inherits every tool, including MCP tools");

  // Optional enumerations and scalars; Claude Code ignores invalid values.
  const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
  const m = fm["model"];
  if (has("model") && !(typeof m === "string" && (MODEL_ALIASES.includes(m) || /^claude-[a-z0-9.-]+(\[1m\])?$/i.test(m)))) {
    warn("model-unknown", "model", `model \`${str(m)}\` is not one of ${MODEL_ALIASES.join(", ")} or a full \`claude-...\` id`);
  }
  const c = fm["color"];
  if (has("color") && !(typeof c === "string" && COLORS.includes(c))) {
    warn("color-unknown", "color", `color \`${str(c)}\` is dropped by Claude Code; use one of ${COLORS.join(", ")}`);
  }
  enumCheck("permissionMode", PERMISSION_MODES, "permission-mode-unknown");
  enumCheck("memory", MEMORY_SCOPES, "memory-invalid");
  enumCheck("isolation", ISOLATIONS, "isolation-invalid");
  const e = fm["effort"];
  if (has("effort") && !((typeof e === "string" && EFFORTS.includes(e)) || (typeof e === "number" && Number.isInteger(e) && e > 0))) {
    warn("effort-invalid", "effort", `effort \`${str(e)}\` is ignored; use ${EFFORTS.join(", ")} or a positive integer`);
  }
  const mt = fm["maxTurns"];
  if (has("maxTurns") && !(typeof mt === "number" && Number.isInteger(mt) && mt > 0)) {
    warn("max-turns-invalid", "maxTurns", `maxTurns \`${str(mt)}\` is ignored; use a positive integer`);
  }
  if (has("background") && typeof fm["background"] !== "boolean") {
    warn("background-invalid", "background", "`background` must be true or false; ignored");
  }
  if (has("initialPrompt") && typeof fm["initialPrompt"] !== "string") {
    warn("initial-prompt-invalid", "initialPrompt", "`initialPrompt` must be a string; ignored");
  }
  if (has("hooks") && !isPlainObject(fm["hooks"])) warn("hooks-invalid", "hooks", "`hooks` must be a mapping; ignored");
  const mcp = fm["mcpServers"];
  if (has("mcpServers") && !isPlainObject(mcp) && !Array.isArray(mcp)) warn("mcp-servers-invalid", "mcpServers", "`mcpServers` must be a list or mapping; ignored");
  const sk = fm["skills"];
  if (has("skills") && typeof sk !== "string" && !(Array.isArray(sk) && sk.every((s) => typeof s === "string"))) {
    warn("skills-invalid", "skills", "`skills` must be a list of skill names; ignored");
  }
  if (body.trim() === "") problems.push({ severity: "warning", code: "body-empty", message: "agent body is empty: the agent has no system prompt" });
  return out;

  function enumCheck(field: string, allowed: readonly string[], code: string): void {
    const v = fm[field];
    if (has(field) && !(typeof v === "string" && allowed.includes(v))) {
      warn(code, field, `${field} \`${str(v)}\` is ignored by Claude Code; use one of ${allowed.join(", ")}`);
    }
  }
}

/** A kebab-case suggestion for a name like `ML_Engineer Agent`. */
export function suggestName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "") || "agent";
}
