// `agentpkg audit --sarif`: the findings as a SARIF 2.1.0 log, the format GitHub code scanning uploads
// (github/codeql-action/upload-sarif). Only fields the 2.1.0 schema defines; paths relative to the project.
import { RULES, type AuditSeverity } from "../audit/rules.js";
import type { AuditResult } from "../operations/audit.js";
import { VERSION } from "../version.js";

export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** SARIF's levels: high is an error, medium a warning, low a note. */
export const SARIF_LEVEL: Record<AuditSeverity, "error" | "warning" | "note"> = { high: "error", medium: "warning", low: "note" };
/** GitHub code scanning shows security-severity as critical (9+), high (7+), medium (4+) or low. */
const SECURITY_SEVERITY: Record<AuditSeverity, string> = { high: "8.0", medium: "5.0", low: "2.0" };

/** A relative path as a URI reference: each segment percent-encoded (a `#` or space in a name stays part of it). */
export function fileUri(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

export function auditSarif(r: AuditResult): Record<string, unknown> {
  const index = new Map(RULES.map((rule, i) => [rule.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "agentpkg",
            version: VERSION,
            semanticVersion: VERSION,
            rules: RULES.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.why },
              help: { text: rule.why },
              defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
              properties: { tags: ["security"], "security-severity": SECURITY_SEVERITY[rule.severity] },
            })),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule)!,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: fileUri(f.file) }, region: { startLine: f.line } },
              ...(f.entry ? { logicalLocations: [{ name: f.entry, kind: "object" }] } : {}),
            },
          ],
          ...(f.package ? { properties: { package: f.package } } : {}),
        })),
      },
    ],
  };
}
