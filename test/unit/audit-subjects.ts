// Audit subjects as the project readers build them, for the audit's unit tests.
import { expect } from "vitest";
import { auditSubject, type AuditSubject, type Finding } from "../../src/audit/audit.js";
import type { RuleId } from "../../src/audit/rules.js";

export const CLEAN_FM = "name: helper\ndescription: Helps with code\ntools: Read, Grep";
export const agent = (fm: string, body = "You review code and report problems.\n") => `---\n${fm}\n---\n\n${body}`;
export const agentSubject = (text: string, file = ".claude/agents/x.md"): AuditSubject => ({ kind: "agent", file, text });
export const markdown = (text: string): AuditSubject => ({ kind: "markdown", file: ".claude/commands/p/x.md", text });
export const hook = (command: string, extra: Record<string, unknown> = {}): AuditSubject => ({
  kind: "hook",
  file: ".claude/settings.json",
  entry: "hooks/SessionStart/0123456789ab",
  event: "SessionStart",
  value: { hooks: [{ type: "command", command, ...extra }] },
});
export const mcp = (command: string, args: string[] = []): AuditSubject => ({ kind: "mcp", file: ".mcp.json", entry: "mcpServers/s", server: "s", value: { command, args } });

export const rules = (fs: Finding[]) => fs.map((f) => f.rule);
export const find = (fs: Finding[], rule: RuleId) => fs.find((f) => f.rule === rule);

export type Case = [name: string, subject: AuditSubject, rule: RuleId, expected: { severity: string; line?: number } | undefined];

/** The subject has a finding of `rule` matching `expected`, or none of that rule when it is undefined. */
export function expectFinding(subject: AuditSubject, rule: RuleId, expected: Case[3]): void {
  const f = find(auditSubject(subject), rule);
  if (expected === undefined) expect(f).toBeUndefined();
  else expect(f).toMatchObject(expected);
}
