import { AgentpkgError, type ErrorCode } from "./errors.js";

/** JSON with keys sorted at every level, 2-space indent and a final newline: byte-stable output. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

/** Compact JSON with sorted keys (dates as ISO strings): structural equality of parsed YAML/JSON values. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "undefined";
}

/**
 * stableJson, unless the value expands past `budget` (see expandedSize): then undefined. For values read
 * from untrusted YAML, where a shared (aliased) subtree can stand for billions of nodes, or a cycle.
 */
export function boundedStableJson(value: unknown, budget: number): string | undefined {
  return expandedSize(value, budget) > budget ? undefined : stableJson(value);
}

/**
 * The size of a value as if every shared subtree were written out in full: 1 per node, plus the length of
 * every string and key. Walks at most about `budget` nodes and returns budget + 1 as soon as it is over,
 * so a YAML alias bomb or a cycle costs no more than an honest value of that size.
 */
export function expandedSize(value: unknown, budget: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    size += 1;
    if (typeof v === "string") size += v.length;
    else if (ArrayBuffer.isView(v)) size += v.byteLength; // !!binary: never walked index by index
    else if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v !== null && typeof v === "object" && !(v instanceof Date)) {
      for (const key of Object.keys(v)) {
        size += key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (size > budget || stack.length > budget) return budget + 1;
  }
  return size;
}

/** A copy of a JSON value with the keys of every object in sorted order (undefined values left out). */
export function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out = dict<unknown>(); // a "__proto__" key stays a key (on {} it would set the prototype, and vanish)
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** A UTF-8 byte order mark some Windows editors put first is not part of the JSON (npm reads package.json so too). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parse a JSON file's text (a leading byte order mark is skipped); errors name the file, the line, and conflict markers when present.
 * Markers are looked for only when parsing fails (a marker line is never valid JSON): a 2 MB
 * registry.json is not scanned twice.
 */
export function parseJsonFile(bomText: string, file: string, code: ErrorCode): unknown {
  const text = stripBom(bomText);
  try {
    return JSON.parse(text);
  } catch (err) {
    const marker = /^(<{7}|={7}|>{7})( |$)/m.exec(text);
    if (marker) {
      const line = text.slice(0, marker.index).split("\n").length;
      throw new AgentpkgError(code, `${file}:${line}: contains git conflict markers`, {
        hint: "resolve the merge conflict in that file (or check it out again), then re-run",
      });
    }
    const pos = /position (\d+)/.exec(String(err))?.[1];
    const line = pos ? text.slice(0, Number(pos)).split("\n").length : undefined;
    throw new AgentpkgError(code, `${file}${line ? `:${line}` : ""}: invalid JSON (${String((err as Error).message).split("\n")[0]})`, {
      cause: err,
      hint: `fix the JSON syntax in ${file}`,
    });
  }
}

/**
 * A record keyed by names from outside (agents, registries, versions, tags, paths): no prototype, so
 * `record["toString"]` is undefined and `__proto__` is an ordinary key. Every such record is built with
 * dict() and read with own() or Object.hasOwn. `{ ...record }` gives a normal object back: copy with dict(record).
 */
export function dict<T>(from?: Readonly<Record<string, T>> | Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from === undefined) return out;
  const entries = Symbol.iterator in from ? (from as Iterable<readonly [string, T]>) : Object.entries(from as Record<string, T>);
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** `record[key]` when it is the record's own entry, never something inherited (`toString`, `constructor`). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Object.keys(o).sort(), skipping the sort when they are in order already (a parsed sorted file). */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return keys.sort();
  return keys;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
