// The audit's rules: what each looks for, how bad it is by default, and why (docs/design-notes.md, "audit").
// Pure data: the engine (audit.ts) reports findings under these ids; the cli maps them to SARIF rules.

export type AuditSeverity = "low" | "medium" | "high";
export const SEVERITIES: readonly AuditSeverity[] = ["low", "medium", "high"];

/** true when `s` is at or above `level` */
export const atLeast = (s: AuditSeverity, level: AuditSeverity): boolean => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(level);

export type RuleId =
  | "bidi-control"
  | "invisible-tag-characters"
  | "zero-width-character"
  | "mixed-script-name"
  | "confusable-name"
  | "download-exec"
  | "download-exec-text"
  | "unpinned-package-exec"
  | "secret-exfiltration"
  | "permission-mode-bypass"
  | "permission-mode-auto"
  | "permission-mode-accept-edits"
  | "unrestricted-tools"
  | "prompt-override"
  | "fake-system-boundary";

export interface AuditRule {
  id: RuleId;
  /** the default; a finding may be lower (text that only mentions a pattern, in quotes or code, is low) */
  severity: AuditSeverity;
  title: string;
  why: string;
}

export const RULES: readonly AuditRule[] = [
  {
    id: "bidi-control",
    severity: "high",
    title: "Bidirectional control character",
    why: "Bidi controls (U+202A-U+202E, U+2066-U+2069) reorder how text is displayed: what a reviewer reads is not what Claude Code and the model read (Trojan Source).",
  },
  {
    id: "invisible-tag-characters",
    severity: "high",
    title: "Invisible Unicode tag characters",
    why: "Characters of the Unicode tags block (U+E0000-U+E007F) show as nothing in editors, terminals and diffs, yet models read them as text: a way to hide instructions.",
  },
  {
    id: "zero-width-character",
    severity: "medium",
    title: "Zero-width character",
    why: "Zero-width characters (U+200B-U+200D, U+2060-U+2064, U+180E, U+FEFF inside text) are invisible: they make two different strings look the same or split a word a filter looks for.",
  },
  {
    id: "mixed-script-name",
    severity: "high",
    title: "Name mixing writing systems",
    why: "A name that mixes scripts (Latin with Cyrillic or Greek letters) looks like a familiar name but is a different one: the classic homoglyph spoof.",
  },
  {
    id: "confusable-name",
    severity: "high",
    title: "Name that looks like another",
    why: "A name that is visually confusable with another installed agent's name (or that spells a Latin name in look-alike letters) lets an agent pass for one the user trusts.",
  },
  {
    id: "download-exec",
    severity: "high",
    title: "Hook or MCP server downloads and runs code",
    why: "A hook, MCP server or command line that pipes a download into a shell (curl ... | sh, iex (iwr ...), bash -c \"$(curl ...)\") runs whatever that URL serves at that moment, unreviewed and unpinned.",
  },
  {
    id: "download-exec-text",
    severity: "medium",
    title: "Text or script that downloads and runs code",
    why: "A prompt, command, skill or script that contains a download-and-run line may run code nobody reviewed when the model or a hook follows it.",
  },
  {
    id: "unpinned-package-exec",
    severity: "medium",
    title: "Hook or MCP server runs an unpinned package",
    why: "npx -y, bunx, pnpm dlx or uvx without an exact version run whatever version the package registry serves at each start (pkg@latest included): pin an exact version.",
  },
  {
    id: "secret-exfiltration",
    severity: "high",
    title: "Secrets sent elsewhere",
    why: "A command that reads SSH keys, .env files, cloud credentials or the environment and sends them over the network, or prompt text telling the model to do so, exfiltrates secrets.",
  },
  {
    id: "permission-mode-bypass",
    severity: "high",
    title: "permissionMode: bypassPermissions",
    why: "bypassPermissions runs every tool call, shell commands included, without asking: meant for throw-away containers, not for an agent shared through a registry.",
  },
  {
    id: "permission-mode-auto",
    severity: "medium",
    title: "permissionMode: auto",
    why: "auto runs tool calls without routine prompts; a classifier, not the user, decides what runs.",
  },
  {
    id: "permission-mode-accept-edits",
    severity: "low",
    title: "permissionMode: acceptEdits",
    why: "acceptEdits lets the agent edit files (and run mkdir, mv, cp and the like) without asking.",
  },
  {
    id: "unrestricted-tools",
    severity: "medium",
    title: "Every tool, Bash or MCP tools included",
    why: "An agent with no tools list (or tools: *) inherits every tool of the session: Bash, and the tools of every MCP server. List the tools it needs.",
  },
  {
    id: "prompt-override",
    severity: "high",
    title: "Text that overrides instructions",
    why: "\"Ignore all previous instructions\", \"disregard the system prompt\" and the like are prompt injection: text that tries to replace the instructions the model was given.",
  },
  {
    id: "fake-system-boundary",
    severity: "high",
    title: "Fake system boundary",
    why: "Chat-template tokens (<|im_start|>, </system>, [INST]) or lines posing as system text (SYSTEM BOUNDARY:, [SYSTEM], ### System:) try to make a prompt look like it came from the system rather than the agent's author.",
  },
];

export function ruleOf(id: RuleId): AuditRule {
  return RULES.find((r) => r.id === id)!;
}
