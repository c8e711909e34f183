// Reading a registry index (layout: registry-lines-format.ts) from its cache file or from memory: a
// command reads the ranges it needs, and checks an agent's entry only when it asks for that agent.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { own } from "../../util/json.js";
import { parseAgentEntry } from "../git-registry/registry-json.js";
import type { AgentEntry, AgentSummary } from "../source.js";
import { nameHash, parseHeader, PREAMBLE_BYTES, preambleOf, RECORD_BYTES, type Header } from "./registry-lines-format.js";

export { INDEX_FORMAT } from "./registry-lines-format.js";

/** Reads byte ranges of the index: from memory, or from the cache file. */
interface Bytes {
  read(start: number, length: number): Buffer;
}

/** An agent's entry is checked (as parseRegistryJson checks it) when it is first read. */
export class RegistryLines {
  private readonly entries = new Map<string, AgentEntry | null>();

  private constructor(
    private readonly header: Header,
    /** the whole index in memory, or the cache file to read ranges from */
    private readonly source: Buffer | string,
    private readonly label: string,
  ) {}

  get name(): string {
    return this.header.name;
  }

  get description(): string | undefined {
    return typeof this.header.description === "string" ? this.header.description : undefined;
  }

  /** undefined when `buf` is not in this format (a cache file from another version: extract again). */
  static from(buf: Buffer, label: string): RegistryLines | undefined {
    const at = preambleOf(buf.subarray(0, PREAMBLE_BYTES));
    const header = at && parseHeader(buf.toString("utf8", at[0], at[0] + at[1]));
    return header && new RegistryLines(header, buf, label);
  }

  /** The cache file, reading only its preamble and header now; undefined when absent or in another format. */
  static open(file: string, label: string): RegistryLines | undefined {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return undefined;
    }
    try {
      const at = preambleOf(readAt(fd, 0, PREAMBLE_BYTES));
      if (!at) return undefined;
      const text = readAt(fd, at[0], at[1]);
      const header = text.length === at[1] ? parseHeader(text.toString("utf8")) : undefined;
      // a damaged cache file (ranges past its end) is read as absent: the index is built again
      return header && rangesFit(header, fstatSync(fd).size) ? new RegistryLines(header, file, label) : undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** Agents listed, valid or not (no entry is parsed). */
  count(): number {
    this.assertAllValid();
    return this.header.count;
  }

  get(name: string): AgentEntry | null {
    let entry = this.entries.get(name);
    if (entry === undefined) {
      entry = this.withBytes((b) => this.lookup(b, name));
      this.entries.set(name, entry);
    }
    return entry;
  }

  /** The bytes of a version file kept in the index, unchecked: verify its sha256. */
  file(registryPath: string): Buffer | undefined {
    const at = own(this.header.files, registryPath);
    return at === undefined ? undefined : this.withBytes((b) => b.read(at[0], at[1]));
  }

  /** Every agent, each checked (the first bad entry fails the listing). */
  all(): AgentEntry[] {
    const [start, length] = this.header.lines;
    const text = this.withBytes((b) => b.read(start, length)).toString("utf8");
    const out: AgentEntry[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      const [name, raw] = JSON.parse(line) as [string, unknown];
      let entry = this.entries.get(name);
      if (!entry) this.entries.set(name, (entry = parseAgentEntry(name, raw, this.label)));
      out.push(entry);
    }
    return out;
  }

  /**
   * What search shows of every agent whose search line holds each of `words` (lowercase): a superset of
   * the agents that match them, which the caller matches exactly. Fails as all() would on a bad entry.
   */
  summaries(words: readonly string[] = []): AgentSummary[] {
    this.assertAllValid();
    const [start, length] = this.header.search;
    const text = this.withBytes((b) => b.read(start, length)).toString("utf8");
    // a word with a quote, backslash or control character is escaped in the JSON line: it cannot filter
    const filter = words.filter((w) => w !== "" && !/["\\\u0000-\u001f]/.test(w));
    const out: AgentSummary[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      if (filter.length > 0) {
        const lower = line.toLowerCase();
        if (!filter.every((w) => lower.includes(w))) continue;
      }
      const [name, description, latest, deprecated] = JSON.parse(line) as [string, string | null, string | null, string | null];
      out.push({ name, ...(description !== null ? { description } : {}), latest, deprecated });
    }
    return out;
  }

  private assertAllValid(): void {
    if (this.header.invalid !== undefined) this.get(this.header.invalid); // throws that entry's error
  }

  private lookup(b: Bytes, name: string): AgentEntry | null {
    const [tableAt, n] = this.header.table;
    const h = nameHash(name);
    const hashAt = (i: number) => b.read(tableAt + i * RECORD_BYTES, 4).readUInt32LE(0);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashAt(mid) < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < n; i++) {
      const rec = b.read(tableAt + i * RECORD_BYTES, RECORD_BYTES);
      if (rec.length < RECORD_BYTES || rec.readUInt32LE(0) !== h) break;
      const [lineName, raw] = JSON.parse(b.read(rec.readUInt32LE(4), rec.readUInt32LE(8)).toString("utf8")) as [string, unknown];
      if (lineName === name) return parseAgentEntry(name, raw, this.label);
    }
    return null;
  }

  private withBytes<T>(use: (b: Bytes) => T): T {
    const src = this.source;
    if (typeof src !== "string") return use({ read: (start, length) => src.subarray(start, start + length) });
    const fd = openSync(src, "r");
    try {
      return use({ read: (start, length) => readAt(fd, start, length) });
    } finally {
      closeSync(fd);
    }
  }
}

function rangesFit(h: Header, size: number): boolean {
  const ranges: [number, number][] = [h.lines, h.search, [h.table[0], h.table[1] * RECORD_BYTES], ...Object.values(h.files)];
  return ranges.every(([start, length]) => start + length <= size);
}

function readAt(fd: number, start: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, buf, n, length - n, start + n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

