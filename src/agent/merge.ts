import { diff3Merge } from "node-diff3";
import { stableJson } from "../util/json.js";
import { loadYaml } from "./yaml.js";

export interface MergeLabels {
  ours?: string;
  base?: string;
  theirs?: string;
}

export interface MergeResult {
  clean: boolean;
  text: string;
  conflicts: number;
}

interface Doc {
  lines: string[];
  finalNewline: boolean;
  crlf: boolean;
  bom: boolean;
}

interface Block {
  lines: string[];
  /** Comparable form of the parsed value (stable JSON). */
  value: string;
}

interface Frontmatter {
  open: string;
  close: string;
  preamble: Block;
  keys: string[];
  blocks: Map<string, Block>;
  body: string[];
}

interface Merged {
  lines: string[];
  conflicts: number;
}

type Markers = Required<MergeLabels>;

const CONFLICT = Symbol("conflict");

/**
 * Three-way merge of an agent file. Frontmatter is merged per top-level key
 * (untouched keys keep their exact original lines); the body is merged line by
 * line with diff3. Conflicts are written with git-style markers.
 * Line endings follow `ours`; the final newline follows `ours` unless only
 * `theirs` changed it.
 */
export function mergeAgent(base: string, ours: string, theirs: string, labels: MergeLabels = {}): MergeResult {
  if (ours === base) return { clean: true, text: theirs, conflicts: 0 };
  if (theirs === base || theirs === ours) return { clean: true, text: ours, conflicts: 0 };

  const markers: Markers = { ours: "ours", base: "base", theirs: "theirs", ...stripUndefined(labels) };
  const o = toDoc(ours);
  const b = toDoc(base);
  const t = toDoc(theirs);
  const fo = parseFrontmatter(o.lines);
  const fb = parseFrontmatter(b.lines);
  const ft = parseFrontmatter(t.lines);

  let merged: Merged;
  if (fo && fb && ft) {
    const head = mergeFrontmatter(fo, fb, ft, markers);
    const body = mergeLines(fo.body, fb.body, ft.body, markers);
    merged = {
      lines: [fo.open, ...head.lines, fo.close, ...body.lines],
      conflicts: head.conflicts + body.conflicts,
    };
  } else {
    merged = mergeLines(o.lines, b.lines, t.lines, markers);
  }

  const eol = o.crlf ? "\r\n" : "\n";
  const finalNewline = o.finalNewline === b.finalNewline ? t.finalNewline : o.finalNewline;
  let text = merged.lines.join(eol);
  if (finalNewline && merged.lines.length > 0) text += eol;
  if (o.bom) text = "\uFEFF" + text;
  return { clean: merged.conflicts === 0, text, conflicts: merged.conflicts };
}

function stripUndefined(labels: MergeLabels): MergeLabels {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== undefined));
}

function toDoc(text: string): Doc {
  const bom = text.startsWith("\uFEFF");
  let t = bom ? text.slice(1) : text;
  const crlf = t.includes("\r\n");
  t = t.replace(/\r\n/g, "\n");
  const finalNewline = t.endsWith("\n");
  if (finalNewline) t = t.slice(0, -1);
  return { lines: t === "" && !finalNewline ? [] : t.split("\n"), finalNewline, crlf, bom };
}

/** Parses YAML with the loader agent/parse.ts uses; undefined unless it is a mapping (or empty). */
function parseYaml(lines: string[]): Record<string, unknown> | undefined {
  const r = loadYaml(lines.join("\n"));
  if (!r.ok) return undefined;
  if (r.value === null || r.value === undefined) return {};
  if (typeof r.value !== "object" || Array.isArray(r.value)) return undefined;
  return r.value as Record<string, unknown>;
}

const isKeyLine = (line: string): boolean => /^[^\s#]/.test(line) && !/^-(\s|$)/.test(line);

/**
 * Splits the frontmatter into per-key line blocks. A block is a top-level key
 * line plus its continuation lines (indented, sequence items, comments, blank).
 * Returns undefined when the YAML is invalid or cannot be split unambiguously.
 */
function parseFrontmatter(lines: string[]): Frontmatter | undefined {
  if (lines[0]?.trimEnd() !== "---") return undefined;
  const end = lines.findIndex((l, i) => i > 0 && l.trimEnd() === "---");
  if (end < 0) return undefined;
  const fm = lines.slice(1, end);
  const whole = parseYaml(fm);
  if (!whole) return undefined;

  const groups: string[][] = [[]];
  for (const line of fm) {
    if (isKeyLine(line)) groups.push([line]);
    else groups[groups.length - 1]?.push(line);
  }
  const [preambleLines = [], ...keyGroups] = groups;
  const preamble = parseYaml(preambleLines);
  if (!preamble || Object.keys(preamble).length > 0) return undefined;

  const keys: string[] = [];
  const blocks = new Map<string, Block>();
  for (const group of keyGroups) {
    const data = parseYaml(group);
    const entries = data ? Object.entries(data) : [];
    const entry = entries[0];
    if (entries.length !== 1 || !entry || blocks.has(entry[0])) return undefined;
    keys.push(entry[0]);
    blocks.set(entry[0], { lines: group, value: stableJson(entry[1]) });
  }
  if (keys.length !== Object.keys(whole).length) return undefined;
  return {
    open: lines[0] ?? "---",
    close: lines[end] ?? "---",
    preamble: { lines: preambleLines, value: preambleLines.join("\n") },
    keys,
    blocks,
    body: lines.slice(end + 1),
  };
}

/** Resolves one key: the side that changed it wins; both changed differently is a conflict. */
function resolve(o?: Block, b?: Block, t?: Block): Block | undefined | typeof CONFLICT {
  const text = (x?: Block) => x?.lines.join("\n");
  if (text(o) === text(t) || text(t) === text(b)) return o;
  if (text(o) === text(b)) return t;
  // Both sides edited the text; fall back to comparing parsed values.
  if (o?.value === t?.value || t?.value === b?.value) return o;
  if (o?.value === b?.value) return t;
  return CONFLICT;
}

function mergeFrontmatter(o: Frontmatter, b: Frontmatter, t: Frontmatter, m: Markers): Merged {
  const out: string[] = [];
  let conflicts = 0;
  const emit = (ob?: Block, bb?: Block, tb?: Block): void => {
    const r = resolve(ob, bb, tb);
    if (r === CONFLICT) {
      conflicts++;
      out.push(...conflictLines(ob?.lines ?? [], bb?.lines ?? [], tb?.lines ?? [], m));
    } else if (r) {
      out.push(...r.lines);
    }
  };
  emit(o.preamble, b.preamble, t.preamble);
  const order = [...o.keys, ...t.keys.filter((k) => !o.blocks.has(k))];
  // Keys ours deleted but theirs kept are re-examined (theirs may have changed them).
  for (const key of order) emit(o.blocks.get(key), b.blocks.get(key), t.blocks.get(key));
  return { lines: out, conflicts };
}

function conflictLines(o: string[], b: string[], t: string[], m: Markers): string[] {
  return [`<<<<<<< ${m.ours}`, ...o, `||||||| ${m.base}`, ...b, "=======", ...t, `>>>>>>> ${m.theirs}`];
}

// node-diff3 indexes lines in a plain object, so a line such as "constructor"
// or "__proto__" would hit Object.prototype. Prefixing every line avoids that.
const enc = (lines: string[]): string[] => lines.map((l) => `~${l}`);
const dec = (lines: string[]): string[] => lines.map((l) => l.slice(1));
const sameLines = (x: string[], y: string[]): boolean => x.length === y.length && x.every((l, i) => l === y[i]);

/** Line-based diff3 merge with git-style (diff3-style) conflict markers. */
function mergeLines(o: string[], b: string[], t: string[], m: Markers): Merged {
  const out: string[] = [];
  let conflicts = 0;
  for (const region of diff3Merge<string>(enc(o), enc(b), enc(t), { excludeFalseConflicts: true })) {
    if (region.ok) {
      out.push(...dec(region.ok));
      continue;
    }
    const c = region.conflict;
    if (!c) continue;
    if (sameLines(c.a, c.o)) out.push(...dec(c.b));
    else if (sameLines(c.b, c.o) || sameLines(c.a, c.b)) out.push(...dec(c.a));
    else {
      conflicts++;
      out.push(...conflictLines(dec(c.a), dec(c.o), dec(c.b), m));
    }
  }
  return { lines: out, conflicts };
}
