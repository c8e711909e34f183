// `validate --fix`: safe, meaning-preserving rewrites of an agent file's frontmatter.
// Unknown fields and the body are kept byte-for-byte; only the lines that need it change.
import { isDeepStrictEqual } from "node:util";
import { canonicalKey } from "./fields.js";
import { FRONTMATTER_FIRST_LINE, linesNeedingQuotes, splitFrontmatter } from "./parse.js";
import { normalizeTools } from "./tools.js";
import { detabLine, isPlainObject, loadYaml, quoteValue, retryTransform, retryWouldQuote, yamlScalar } from "./yaml.js";

export interface FixResult {
  text: string;
  changes: string[];
}

type Data = Record<string, unknown>;

function load(lines: readonly string[]): Data | undefined {
  const r = loadYaml(lines.join("\n"));
  if (!r.ok) return undefined;
  if (r.value === null || r.value === undefined) return {};
  return isPlainObject(r.value) ? r.value : undefined;
}

const lineNo = (i: number): number => i + FRONTMATTER_FIRST_LINE;

/** Remove a BOM and/or blank lines in front of the opening `---`. */
function fixLeading(text: string, changes: string[]): string {
  let out = text;
  if (out.startsWith("\uFEFF")) {
    out = out.slice(1);
    changes.push("removed the byte-order mark before the opening `---`");
  }
  const m = /^(?:[ \t]*\r?\n)+(?=---[ \t]*(?:\r?\n|$))/.exec(out);
  if (m) {
    out = out.slice(m[0].length);
    changes.push("removed blank line(s) before the opening `---`");
  }
  return out;
}

/** Quote values that only parse after Claude Code's retry; turn leading tabs into spaces. */
function fixQuoting(lines: string[], changes: string[]): string[] | undefined {
  const hasTabs = lines.some((l) => l.startsWith("\t"));
  if (!hasTabs && load(lines)) return lines;
  if (!load(retryTransform(lines))) return undefined; // truly broken YAML: nothing safe to do
  const local: string[] = [];
  const minimal = lines.map((l, i) => {
    const detabbed = detabLine(l);
    if (detabbed !== l) local.push(`line ${lineNo(i)}: replaced leading tabs with spaces`);
    return detabbed;
  });
  for (const { index, kind } of linesNeedingQuotes(lines)) {
    const hit = retryWouldQuote(minimal[index] as string);
    if (kind !== "fails" || !hit) continue;
    minimal[index] = `${hit.key}: ${quoteValue(hit.value)}`;
    local.push(`line ${lineNo(index)}: quoted the \`${hit.key}\` value so it parses without Claude Code's retry`);
  }
  if (load(minimal)) {
    changes.push(...local.sort(byLineNo));
    return minimal;
  }
  const full = retryTransform(lines);
  full.forEach((l, i) => {
    if (l !== lines[i]) changes.push(`line ${lineNo(i)}: rewrote the line as Claude Code's retry reads it`);
  });
  return full;
}

function byLineNo(a: string, b: string): number {
  return Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]);
}

/** Rename `Name:` -> `name:` (and other known keys) when the canonical key is absent. */
function fixKeyCase(lines: string[], data: Data, changes: string[]): string[] {
  return lines.map((line, i) => {
    const m = /^([A-Za-z][A-Za-z0-9_-]*)([ \t]*:.*)$/.exec(line);
    if (!m) return line;
    const key = m[1] as string;
    const canon = canonicalKey(key);
    if (!canon || canon === key || Object.prototype.hasOwnProperty.call(data, canon)) return line;
    changes.push(`line ${lineNo(i)}: renamed key \`${key}\` to \`${canon}\``);
    return canon + (m[2] as string);
  });
}

/** Index just past the value of the top-level key on line `i` (its continuation lines). */
function valueEnd(lines: readonly string[], i: number): number {
  let j = i + 1;
  while (j < lines.length && /^(?:[ \t]|$)/.test(lines[j] as string)) j++;
  while (j > i + 1 && (lines[j - 1] as string).trim() === "") j--; // keep trailing blank lines
  return j;
}

/** `tools: Read, Grep` -> a YAML block list (same for `disallowedTools`). */
function fixToolStrings(lines: string[], data: Data, changes: string[]): string[] {
  let out = [...lines];
  for (const field of ["tools", "disallowedTools"]) {
    const n = normalizeTools(data[field]);
    if (n.shape !== "string" || !Array.isArray(n.tools)) continue;
    const i = out.findIndex((l) => new RegExp(`^${field}[ \\t]*:`).test(l));
    if (i < 0) continue;
    const list = n.tools.length === 0 ? [`${field}: []`] : [`${field}:`, ...n.tools.map((t) => `  - ${yamlScalar(t)}`)];
    const candidate = [...out.slice(0, i), ...list, ...out.slice(valueEnd(out, i))];
    const got = load(candidate);
    if (!got || !isDeepStrictEqual(got[field], n.tools)) continue;
    out = candidate;
    changes.push(`line ${lineNo(i)}: wrote \`${field}\` as a YAML list`);
  }
  return out;
}

export function fixAgentText(text: string): FixResult {
  const changes: string[] = [];
  const lead = fixLeading(text, changes);
  const split = splitFrontmatter(lead);
  if (split.kind !== "ok") return { text: lead, changes };

  const quoteChanges: string[] = [];
  const quoted = fixQuoting(split.yamlLines, quoteChanges);
  if (!quoted) return { text: lead, changes };
  const data = load(quoted);
  if (!data) return { text: lead, changes };

  const fmChanges: string[] = [...quoteChanges];
  const renamed = fixKeyCase(quoted, data, fmChanges);
  const renamedData = load(renamed);
  const lines = renamedData ? fixToolStrings(renamed, renamedData, fmChanges) : quoted;
  if (!renamedData) fmChanges.splice(quoteChanges.length);
  if (fmChanges.length === 0) return { text: lead, changes };

  const { eol } = split;
  const rebuilt = ["---", ...lines, "---"].join(eol) + eol + split.body;
  return { text: rebuilt, changes: [...changes, ...fmChanges] };
}
