// Parse a Claude Code agent file (Markdown + YAML frontmatter) the way Claude Code 2.1.x reads it.
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { checkFields } from "./fields.js";
import type { AgentProblem } from "./problem.js";
import type { YamlFail, YamlResult } from "./yaml.js";
import { isPlainObject, loadYaml, quoteValue, retryTransform, retryWouldQuote, detabLine } from "./yaml.js";

export type { AgentProblem, Severity } from "./problem.js";
export interface ParsedAgent {
  name?: string;
  description?: string;
  frontmatter: Record<string, unknown>;
  body: string;
  tools?: string[] | "*";
  problems: AgentProblem[];
  hasErrors: boolean;
}

export { MAX_AGENT_BYTES };
/** File line (1-based) of the first YAML line: frontmatter always opens on line 1. */
export const FRONTMATTER_FIRST_LINE = 2;

const DELIM = /^---[ \t]*$/;

export type FrontmatterSplit =
  | { kind: "ok"; yamlLines: string[]; body: string; eol: "\n" | "\r\n" }
  | { kind: "bom" | "leading-blank" | "missing" | "unclosed" };

function stripCR(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Locate the frontmatter block. The opening `---` must be the very first line. */
export function splitFrontmatter(text: string): FrontmatterSplit {
  if (text.startsWith("\uFEFF")) return { kind: "bom" };
  const firstNl = text.indexOf("\n");
  const first = stripCR(firstNl < 0 ? text : text.slice(0, firstNl));
  if (!DELIM.test(first)) {
    return /^(?:[ \t]*\r?\n)+---[ \t]*(?:\r?\n|$)/.test(text) ? { kind: "leading-blank" } : { kind: "missing" };
  }
  if (firstNl < 0) return { kind: "unclosed" };
  const eol = text.slice(0, firstNl + 1).endsWith("\r\n") ? "\r\n" : "\n";
  const yamlLines: string[] = [];
  let pos = firstNl + 1;
  while (pos <= text.length) {
    const nl = text.indexOf("\n", pos);
    const raw = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    const line = stripCR(raw);
    if (DELIM.test(line)) {
      return { kind: "ok", yamlLines, body: nl < 0 ? "" : text.slice(nl + 1), eol };
    }
    yamlLines.push(line);
    if (nl < 0) break;
    pos = nl + 1;
  }
  return { kind: "unclosed" };
}

/** File line (1-based) of each top-level key in the frontmatter. */
export function keyLines(yamlLines: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  yamlLines.forEach((raw, i) => {
    const m = /^([^\s#'"-][^:]*?|"[^"]*"|'[^']*'):(?:\s|$)/.exec(detabLine(raw));
    if (!m) return;
    const key = (m[1] as string).replace(/^["']|["']$/g, "");
    if (!map.has(key)) map.set(key, i + FRONTMATTER_FIRST_LINE);
  });
  return map;
}

export interface QuoteNeed {
  index: number;
  /** "fails": plain YAML cannot read the line; "changes": it can, but the retry reads it differently. */
  kind: "fails" | "changes";
}

/** Top-level lines Claude Code's retry would rewrite, and whether that matters (index into yamlLines). */
export function linesNeedingQuotes(yamlLines: readonly string[]): QuoteNeed[] {
  const out: QuoteNeed[] = [];
  yamlLines.forEach((raw, index) => {
    const hit = retryWouldQuote(detabLine(raw));
    if (!hit) return;
    const alone = loadYaml(`${hit.key}: ${hit.value}`);
    if (!alone.ok || !isPlainObject(alone.value)) {
      out.push({ index, kind: "fails" });
      return;
    }
    const quoted = loadYaml(`${hit.key}: ${quoteValue(hit.value)}`);
    const same = quoted.ok && isPlainObject(quoted.value) && alone.value[hit.key] === quoted.value[hit.key];
    if (!same) out.push({ index, kind: "changes" });
  });
  return out;
}

/** First attempt. YAML forbids tabs in indentation, but js-yaml 3 tolerates some; reject them here. */
function firstAttempt(yamlLines: readonly string[]): YamlResult {
  const tab = yamlLines.findIndex((l) => l.startsWith("\t"));
  if (tab >= 0) return { ok: false, reason: "tab characters must not be used in indentation", line: tab };
  return loadYaml(yamlLines.join("\n"));
}

/** A YAML alias bomb: an error at the top-level key that holds it (Claude Code cannot use such a value either). */
function tooLargeProblem(r: YamlFail, yamlLines: readonly string[]): AgentProblem {
  const line = r.key === undefined ? FRONTMATTER_FIRST_LINE : (keyLines(yamlLines).get(r.key) ?? FRONTMATTER_FIRST_LINE);
  return {
    severity: "error",
    code: "yaml-too-large",
    message: `frontmatter${r.key === undefined ? "" : ` field \`${r.key}\``} is refused: ${r.reason}`,
    line,
    ...(r.key === undefined ? {} : { field: r.key }),
  };
}

export interface FrontmatterYaml {
  data?: Record<string, unknown>;
  retried: boolean;
  problems: AgentProblem[];
}

/** Parse frontmatter YAML with Claude Code's one quoting retry. */
export function parseFrontmatterYaml(yamlLines: readonly string[]): FrontmatterYaml {
  const problems: AgentProblem[] = [];
  const first = firstAttempt(yamlLines);
  let value: unknown;
  let retried = false;
  if (!first.ok && first.tooLarge) return { retried, problems: [tooLargeProblem(first, yamlLines)] };
  if (first.ok) {
    value = first.value;
  } else {
    const second = loadYaml(retryTransform(yamlLines).join("\n"));
    if (!second.ok && second.tooLarge) return { retried: true, problems: [tooLargeProblem(second, yamlLines)] };
    if (!second.ok) {
      const line = second.line ?? first.line;
      problems.push({
        severity: "error",
        code: "yaml-invalid",
        message: `frontmatter is not valid YAML (${second.reason}); Claude Code skips this file`,
        ...(line === undefined ? {} : { line: line + FRONTMATTER_FIRST_LINE }),
      });
      return { retried: true, problems };
    }
    retried = true;
    value = second.value;
    const needs = linesNeedingQuotes(yamlLines);
    const keys = [...keyLines(yamlLines).entries()];
    for (const { index, kind } of needs) {
      const line = index + FRONTMATTER_FIRST_LINE;
      const field = keys.find(([, l]) => l === line)?.[0];
      problems.push({
        severity: "warning",
        code: kind === "fails" ? "yaml-retry" : "yaml-retry-changed",
        message:
          kind === "fails"
            ? "YAML only parses after Claude Code's quoting retry; quote the value"
            : "because this file needs Claude Code's quoting retry, this value is read as a plain string; fix the other YAML problem",
        line,
        ...(field ? { field } : {}),
      });
    }
    if (!needs.some((n) => n.kind === "fails")) {
      problems.push({
        severity: "warning",
        code: "yaml-retry",
        message: `YAML only parses after Claude Code's retry (${first.reason}); fix the indentation or quote the value`,
        ...(first.line === undefined ? {} : { line: first.line + FRONTMATTER_FIRST_LINE }),
      });
    }
  }
  if (value === null || value === undefined) return { data: {}, retried, problems };
  if (!isPlainObject(value)) {
    problems.push({
      severity: "error",
      code: "frontmatter-not-mapping",
      message: "frontmatter must be a YAML mapping of `key: value` lines",
      line: FRONTMATTER_FIRST_LINE,
    });
    return { retried, problems };
  }
  return { data: value, retried, problems };
}

const STRUCTURE_MESSAGES: Record<Exclude<FrontmatterSplit["kind"], "ok">, string> = {
  bom: "file starts with a byte-order mark (BOM) before `---`; Claude Code will not see the frontmatter",
  "leading-blank": "blank line before the opening `---`; frontmatter must start on the first line",
  missing: "no YAML frontmatter: the file must start with a `---` line",
  unclosed: "frontmatter is not closed by a `---` line",
};

export function parseAgent(text: string): ParsedAgent {
  const problems: AgentProblem[] = [];
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_AGENT_BYTES) {
    problems.push({
      severity: "error",
      code: "file-too-large",
      message: `file is ${bytes} bytes; Claude Code skips agent files over 1 MiB`,
    });
  }
  const split = splitFrontmatter(text);
  if (split.kind !== "ok") {
    problems.push({
      severity: "error",
      code: `frontmatter-${split.kind}`,
      message: STRUCTURE_MESSAGES[split.kind],
      line: 1,
    });
    return { frontmatter: {}, body: text, problems, hasErrors: true };
  }
  const fm = parseFrontmatterYaml(split.yamlLines);
  problems.push(...fm.problems);
  const result: ParsedAgent = { frontmatter: fm.data ?? {}, body: split.body, problems, hasErrors: false };
  if (fm.data) {
    const fields = checkFields(fm.data, keyLines(split.yamlLines), split.body);
    problems.push(...fields.problems);
    if (fields.name !== undefined) result.name = fields.name;
    if (fields.description !== undefined) result.description = fields.description;
    if (fields.tools !== undefined) result.tools = fields.tools;
  }
  result.hasErrors = problems.some((p) => p.severity === "error");
  return result;
}
