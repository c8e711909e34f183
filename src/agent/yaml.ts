// YAML helpers shared by parse/fix/serialize. Uses js-yaml 3 (gray-matter's dependency), safe schema only.
// js-yaml 3 also loads esprima (~300 KB) for its unsafe !!js/function type, which safeLoad/safeDump never
// use: the bundle build (scripts/build.mjs) leaves esprima out, as js-yaml's own browser build does.
import jsYaml from "js-yaml";

import { expandedSize, isPlainObject } from "../util/json.js";
import { MAX_YAML_EXPANSION } from "../util/limits.js";

export { MAX_YAML_EXPANSION };

export interface YamlOk {
  ok: true;
  value: unknown;
}
export interface YamlFail {
  ok: false;
  reason: string;
  /** 0-based line inside the YAML text, when js-yaml reports one. */
  line?: number;
  /** the document parses, but its aliases expand it past MAX_YAML_EXPANSION (a YAML bomb) */
  tooLarge?: boolean;
  /** with tooLarge: the top-level key whose value is too large, when the document is a mapping */
  key?: string;
}
export type YamlResult = YamlOk | YamlFail;


export function loadYaml(text: string): YamlResult {
  let value: unknown;
  try {
    value = jsYaml.safeLoad(text, { json: false });
  } catch (err) {
    const e = err as { reason?: unknown; message?: unknown; mark?: { line?: unknown } };
    const reason = typeof e.reason === "string" ? e.reason : String(e.message ?? err);
    const line = typeof e.mark?.line === "number" ? e.mark.line : undefined;
    return line === undefined ? { ok: false, reason } : { ok: false, reason, line };
  }
  if (expandedSize(value, MAX_YAML_EXPANSION) <= MAX_YAML_EXPANSION) return { ok: true, value };
  const reason = "its aliases expand it beyond 1 MiB of data (a YAML alias bomb)";
  const key = isPlainObject(value) ? largestKey(value) : undefined;
  return key === undefined ? { ok: false, reason, tooLarge: true } : { ok: false, reason, tooLarge: true, key };
}

/** The top-level key whose value takes the expansion over the limit (the first such key, in order). */
function largestKey(value: Record<string, unknown>): string | undefined {
  let left = MAX_YAML_EXPANSION - 1; // the mapping itself counts as one node
  for (const key of Object.keys(value)) {
    left -= expandedSize(value[key], left) + key.length;
    if (left < 0) return key;
  }
  return undefined;
}

export function dumpYaml(value: unknown): string {
  return jsYaml.safeDump(value, { lineWidth: -1, noRefs: true, skipInvalid: true, sortKeys: false });
}

/** A top-level `key: value` line, as Claude Code's retry recognises it. */
export const TOP_LEVEL_KV = /^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.+)$/;

/** What Claude Code's retry quotes: `: ` or any of {}[]*&#!|>%@ in the value. */
const NEEDS_QUOTING = /[{}[\]*&#!|>%@]|: /;

function isAlreadyQuoted(value: string): boolean {
  return (
    value.length >= 2 &&
    ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
  );
}

/** The quoted form Claude Code's retry gives a value (trailing whitespace trimmed). */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** True when Claude Code's retry would rewrite this line's value. */
export function retryWouldQuote(line: string): { key: string; value: string } | undefined {
  const m = TOP_LEVEL_KV.exec(line);
  if (!m) return undefined;
  const key = m[1] as string;
  const value = (m[2] as string).trimEnd();
  if (isAlreadyQuoted(value) || !NEEDS_QUOTING.test(value)) return undefined;
  return { key, value };
}

export function detabLine(line: string): string {
  const m = /^\t+/.exec(line);
  return m ? "  ".repeat(m[0].length) + line.slice(m[0].length) : line;
}

/**
 * Claude Code's second attempt: leading tabs become spaces and top-level values
 * containing `: ` or YAML indicator characters are double-quoted. Line count is kept.
 */
export function retryTransform(lines: readonly string[]): string[] {
  return lines.map((raw) => {
    const line = detabLine(raw);
    const hit = retryWouldQuote(line);
    return hit ? `${hit.key}: ${quoteValue(hit.value)}` : line;
  });
}

/** Render a scalar for a block-list item: plain when it round-trips, JSON-quoted otherwise. */
export function yamlScalar(item: string): string {
  const r = loadYaml(`- ${item}`);
  if (r.ok && Array.isArray(r.value) && r.value.length === 1 && r.value[0] === item) return item;
  return JSON.stringify(item);
}

/** YAML mappings (a js-yaml timestamp is a Date, not a mapping). */
export { isPlainObject };
