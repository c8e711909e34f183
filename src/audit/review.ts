// The audit's part in the permission review of install and upgrade: the high findings of what a step is
// about to write, as review lines that need a yes (docs/design-notes.md, "audit").
import type { PermissionChange } from "../agent/permissions.js";
import { auditSubject, fileSubject, type AuditSubject, type Finding } from "./audit.js";

export interface IncomingPart {
  /** the step's file: a project file, or `<host>#<key>` for a hook group or MCP server */
  file: string;
  /** the lock's kind of it: agent, command, skill, output-style, file, hook, mcp */
  kind: string;
  /** what is about to be written (for an entry: its canonical JSON) */
  bytes: Buffer;
}

function subjectOf(p: IncomingPart): AuditSubject | undefined {
  if (p.kind !== "hook" && p.kind !== "mcp") return fileSubject(p.file, p.kind, p.bytes);
  const hash = p.file.indexOf("#");
  const host = p.file.slice(0, hash);
  const entry = p.file.slice(hash + 1);
  let value: unknown;
  try {
    value = JSON.parse(p.bytes.toString("utf8"));
  } catch {
    return undefined; // never written: the plan checks every entry it writes
  }
  const name = entry.split("/")[1] ?? "";
  return p.kind === "hook" ? { kind: "hook", file: host, entry, event: name, value } : { kind: "mcp", file: host, entry, server: name, value };
}

const highOf = (p: IncomingPart): Finding[] => {
  const s = subjectOf(p);
  return s ? auditSubject(s).filter((f) => f.severity === "high") : [];
};
const keyOf = (f: Finding) => `${f.rule}\0${f.message}`;

/**
 * The audit's high findings in what a step writes, as risky review changes. An update shows only findings
 * the version it replaces did not have (`before`: its pristine bytes), so accepting one once is enough.
 */
export function auditReviewChanges(incoming: IncomingPart, before?: Buffer): PermissionChange[] {
  const found = highOf(incoming);
  if (!found.length) return [];
  const had = new Set(before === undefined ? [] : highOf({ ...incoming, bytes: before }).map(keyOf));
  return found
    .filter((f) => !had.has(keyOf(f)))
    .map((f) => ({
      field: "audit",
      kind: "audit" as const,
      risky: true,
      detail: `audit ${f.rule}: ${f.message} (${f.entry ? `${f.file}#${f.entry}` : `${f.file}:${f.line}`})`,
      finding: { rule: f.rule, severity: f.severity, file: f.file, line: f.line },
    }));
}
