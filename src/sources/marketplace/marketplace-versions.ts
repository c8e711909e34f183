// Thousands of versions of marketplace.json in a row (a history replay): consecutive versions differ in a
// few plugin entries, so only the bytes that changed are parsed again. The first version (and any version
// whose change reaches outside the plugins list) is parsed whole; after that, the bytes both versions share
// at the start and the end are skipped, the entries in between are cut out by a small scanner and parsed
// one by one, and every entry outside that window is the previous version's object itself.
import { stripBom } from "../../util/json.js";
import { isPlainObject } from "../../util/json.js";
import { assembleMarketplace, isNamedEntry, marketplaceEntry, type Marketplace, type MarketplaceParseOptions, type MarketplacePlugin } from "./marketplace-json.js";

type Span = [start: number, end: number];

interface Version {
  text: Buffer;
  market: Marketplace;
  /** byte positions of the plugins array's "[" and "]", and of each of its elements */
  open: number;
  close: number;
  spans: Span[];
  raws: unknown[];
  /** the entry read from each element (undefined: no name) */
  entries: (MarketplacePlugin | undefined)[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  return i;
}

/** The end of the string starting at `i` (its opening quote), or -1. */
function skipString(b: Buffer, i: number, end: number): number {
  for (i++; i < end; i++) {
    if (b[i] === BACKSLASH) i++;
    else if (b[i] === QUOTE) return i + 1;
  }
  return -1;
}

/** The end of the JSON value starting at `i`, or -1 (not validated: JSON.parse does that). */
function skipValue(b: Buffer, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i, end);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (; i < end; i++) {
      const d = b[i];
      if (d === QUOTE) {
        i = skipString(b, i, end) - 1;
        if (i < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  while (i < end && !isSpace(b[i]) && b[i] !== 0x2c && b[i] !== 0x5d && b[i] !== 0x7d) i++;
  return i;
}

/** Where the top-level "plugins" array and its elements are (the last "plugins" key wins, as in JSON.parse). */
export function scanPlugins(b: Buffer): { open: number; close: number; spans: Span[] } | undefined {
  const end = b.length;
  let i = skipSpace(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0, end);
  if (b[i] !== 0x7b) return undefined;
  let found: { open: number; close: number; spans: Span[] } | undefined;
  i = skipSpace(b, i + 1, end);
  if (b[i] === 0x7d) return undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = skipString(b, i, end);
    if (keyEnd < 0) return undefined;
    const key = b.toString("latin1", i + 1, keyEnd - 1);
    if (key.includes("\\")) return undefined; // an escaped key might spell "plugins": leave it to JSON.parse
    i = skipSpace(b, keyEnd, end);
    if (b[i] !== 0x3a) return undefined;
    i = skipSpace(b, i + 1, end);
    if (key === "plugins" && b[i] === 0x5b) {
      const open = i;
      const spans: Span[] = [];
      i = skipSpace(b, i + 1, end);
      while (b[i] !== 0x5d) {
        const e = skipValue(b, i, end);
        if (e <= i) return undefined;
        spans.push([i, e]);
        i = skipSpace(b, e, end);
        if (b[i] === 0x2c) i = skipSpace(b, i + 1, end);
        else if (b[i] !== 0x5d) return undefined;
      }
      found = { open, close: i, spans };
      i++;
    } else {
      const e = skipValue(b, i, end);
      if (e <= i) return undefined;
      i = e;
    }
    i = skipSpace(b, i, end);
    if (b[i] === 0x7d) return found;
    if (b[i] !== 0x2c) return undefined;
    i = skipSpace(b, i + 1, end);
  }
}

const CHUNK = 4096;

/** Length of the common prefix of a and b (memcmp per 4 KiB chunk, then byte by byte). */
export function commonPrefix(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.compare(b, i, i + CHUNK, i, i + CHUNK) === 0) i += CHUNK;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Length of the common suffix of a and b, at most `max`. */
export function commonSuffix(a: Buffer, b: Buffer, max: number): number {
  let k = 0;
  while (k + CHUNK <= max && a.compare(b, b.length - k - CHUNK, b.length - k, a.length - k - CHUNK, a.length - k) === 0) k += CHUNK;
  while (k < max && a[a.length - 1 - k] === b[b.length - 1 - k]) k++;
  return k;
}

/** The successive versions of one repository's marketplace.json, each parsed against the one before. */
export class MarketplaceVersions {
  private last?: Version;
  /** two buffers in turn: one holds the previous version, the other takes the next (no allocation per version) */
  private readonly buffers: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  constructor(private readonly o: MarketplaceParseOptions = {}) {}

  /**
   * The next version, parsed; undefined when it is not a valid marketplace.json (the previous one stays the
   * base). `bytes` are copied: the caller may reuse them.
   */
  next(bytes: Buffer): Marketplace | undefined {
    const slot = this.last && this.buffers[0].buffer === this.last.text.buffer && this.buffers[0].length > 0 ? 1 : 0;
    if (this.buffers[slot].length < bytes.length) this.buffers[slot] = Buffer.allocUnsafeSlow(Math.max(bytes.length, Math.ceil(this.buffers[slot].length * 1.5)));
    const text = this.buffers[slot].subarray(0, bytes.copy(this.buffers[slot]));
    const v = (this.last && this.patch(this.last, text)) ?? this.whole(text);
    if (v) this.last = v;
    return v?.market;
  }

  private whole(text: Buffer): Version | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(stripBom(text.toString("utf8")));
    } catch {
      return undefined;
    }
    if (!isPlainObject(raw) || !Array.isArray(raw.plugins)) return undefined;
    const raws: unknown[] = raw.plugins;
    const meta = isPlainObject(raw.metadata) ? raw.metadata : {};
    const pluginRoot = typeof meta.pluginRoot === "string" ? meta.pluginRoot : typeof raw.pluginRoot === "string" ? raw.pluginRoot : undefined;
    const entries = raws.map((p) => (isNamedEntry(p) ? marketplaceEntry(p, pluginRoot, this.o) : undefined));
    const market = assembleMarketplace(typeof raw.name === "string" ? raw.name : undefined, pluginRoot, raws, (i) => entries[i]!);
    const scan = scanPlugins(text);
    // without a scan that agrees with JSON.parse, the next version is parsed whole too
    const spans = scan && scan.spans.length === raws.length ? scan : { open: -1, close: -1, spans: [] };
    return { text, market, ...spans, raws, entries };
  }

  /** The new version from the previous one, when everything that changed lies inside the plugins list. */
  private patch(last: Version, b: Buffer): Version | undefined {
    const a = last.text;
    if (last.open < 0) return undefined;
    if (a.equals(b)) return { ...last, text: b };
    const p = commonPrefix(a, b);
    const s = commonSuffix(a, b, Math.min(a.length, b.length) - p);
    const changedEnd = a.length - s; // the change is [p, changedEnd) in a
    if (p <= last.open || changedEnd > last.close) return undefined;
    const n = last.spans.length;
    let k1 = 0;
    while (k1 < n && last.spans[k1]![1] <= p) k1++;
    let k2 = k1;
    while (k2 < n && last.spans[k2]![0] < changedEnd) k2++;
    const delta = b.length - a.length;
    const from = k1 > 0 ? last.spans[k1 - 1]![1] : last.open + 1;
    const to = (k2 < n ? last.spans[k2]![0] : last.close) + delta;
    // the window holds the new entries between the unchanged ones, with exactly the commas that separate them
    const mid: Span[] = [];
    const tokens: string[] = [];
    for (let i = skipSpace(b, from, to); i < to; i = skipSpace(b, i, to)) {
      if (b[i] === 0x2c) {
        tokens.push(",");
        i++;
        continue;
      }
      const e = skipValue(b, i, to);
      if (e <= i) return undefined; // a stray "]" or "}": not a list of entries
      mid.push([i, e]);
      tokens.push("v");
      i = e;
    }
    const left = k1 > 0;
    const right = k2 < n;
    const expected = mid.length === 0 ? (left && right ? [","] : []) : [...(left ? [","] : []), ...mid.flatMap((_, i) => (i ? [",", "v"] : ["v"])), ...(right ? [","] : [])];
    if (tokens.join("") !== expected.join("")) return undefined;
    const midRaws: unknown[] = [];
    for (const [s0, e0] of mid) {
      try {
        midRaws.push(JSON.parse(b.toString("utf8", s0, e0)));
      } catch {
        return undefined;
      }
    }
    const pluginRoot = last.market.pluginRoot;
    const raws = [...last.raws.slice(0, k1), ...midRaws, ...last.raws.slice(k2)];
    const entries = [...last.entries.slice(0, k1), ...midRaws.map((r) => (isNamedEntry(r) ? marketplaceEntry(r, pluginRoot, this.o) : undefined)), ...last.entries.slice(k2)];
    const spans: Span[] = [...last.spans.slice(0, k1), ...mid, ...last.spans.slice(k2).map(([x, y]): Span => [x + delta, y + delta])];
    const market = assembleMarketplace(last.market.name, pluginRoot, raws, (i) => entries[i]!);
    return { text: b, market, open: last.open, close: last.close + delta, spans, raws, entries };
  }
}
