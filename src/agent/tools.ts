// Tool-list normalisation and tool-name checks for agent frontmatter.

/**
 * Claude Code's built-in tools: the tools reference (code.claude.com/docs/en/tools-reference), the tools
 * Claude Code 2.1.197 reports at start-up (`claude -p --output-format stream-json`, its init message) and
 * those its SDK types name, plus names earlier versions had (files written for them still load).
 */
export const KNOWN_TOOLS: readonly string[] = [
  "Agent", "Artifact", "AskUserQuestion", "Bash", "CronCreate", "CronDelete", "CronList", "Edit", "EnterPlanMode",
  "EnterWorktree", "ExitPlanMode", "ExitWorktree", "Glob", "Grep", "ListMcpResourcesTool", "LSP", "Monitor",
  "NotebookEdit", "PowerShell", "PushNotification", "Read", "ReadMcpResourceTool", "RemoteTrigger", "ReportFindings",
  "ScheduleWakeup", "SendMessage", "Skill", "TaskCreate", "TaskGet", "TaskList", "TaskOutput", "TaskStop", "TaskUpdate",
  "TodoWrite", "ToolSearch", "WebFetch", "WebSearch", "Workflow", "Write",
  // earlier names
  "Task", "MultiEdit", "LS", "BashOutput", "KillShell", "NotebookRead", "SlashCommand",
];

const KNOWN = new Set(KNOWN_TOOLS);

/** Split a tools string on commas/whitespace, but not inside `(...)` (e.g. `Bash(git commit:*)`). */
export function splitToolString(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")" && depth > 0) depth--;
    if (depth === 0 && (ch === "," || /\s/.test(ch))) {
      if (cur) out.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

export type ToolsShape = "absent" | "string" | "list" | "invalid";

export interface NormalizedTools {
  shape: ToolsShape;
  tools?: string[] | "*";
  /** List entries that were not strings (ignored). */
  badEntries: number;
}

export function normalizeTools(value: unknown): NormalizedTools {
  if (value === undefined) return { shape: "absent", badEntries: 0 };
  let shape: ToolsShape;
  let items: string[];
  let badEntries = 0;
  if (typeof value === "string") {
    shape = "string";
    items = splitToolString(value);
  } else if (Array.isArray(value)) {
    shape = "list";
    items = [];
    for (const v of value) {
      if (typeof v === "string") items.push(...(v.trim() ? [v.trim()] : []));
      else badEntries++;
    }
  } else {
    return { shape: "invalid", badEntries: 0 };
  }
  if (items.includes("*")) return { shape, tools: "*", badEntries };
  return { shape, tools: items, badEntries };
}

/** True for built-in tools, `Tool(pattern)` rules on built-ins, and `mcp__server__tool` names. */
export function isKnownTool(name: string): boolean {
  if (name === "*") return true;
  if (/^mcp__\S+$/.test(name)) return true;
  const m = /^([A-Za-z]+)\((.*)\)$/.exec(name);
  if (m) return KNOWN.has(m[1] as string);
  return KNOWN.has(name);
}

/** A case-insensitive match among the built-ins, for "did you mean" hints. */
export function suggestTool(name: string): string | undefined {
  const lower = name.toLowerCase();
  return KNOWN_TOOLS.find((t) => t.toLowerCase() === lower);
}
