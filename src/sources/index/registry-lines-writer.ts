// Builds a registry index (layout: registry-lines-format.ts) one agent at a time, holding only the
// lookup records and the search lines (~100 bytes an agent), never the whole registry as objects.
import { dict } from "../../util/json.js";
import { AgentpkgError } from "../../util/errors.js";
import { parseAgentEntry } from "../git-registry/registry-json.js";
import { latestVersion } from "../resolve.js";
import type { AgentEntry } from "../source.js";
import { memorySink, type LinesSink } from "./byte-sink.js";
import { scanRegistryJson } from "./registry-json-scan.js";
import { bufferBytes, type ScanBytes } from "./scan-bytes.js";
import { FORMAT, nameHash, PREAMBLE_BYTES, RECORD_BYTES, type Header } from "./registry-lines-format.js";

/**
 * Builds the index: agents in registry.json's order, then the files, then finish(). `agent` returns the
 * checked entry (undefined when it is invalid: that agent's error is reported when it is read).
 */
export class RegistryLinesWriter {
  private pos = 0;
  private readonly records: number[] = [];
  /** the search lines, kept until the agent lines end (~90 bytes an agent) */
  private readonly search = memorySink();
  private readonly files = dict<[number, number]>();
  private linesEnd = -1;
  private searchAt: [number, number] = [0, 0];
  private invalid: string | undefined;
  private count = 0;

  constructor(
    private readonly sink: LinesSink,
    private readonly label: string,
  ) {
    this.put(Buffer.alloc(PREAMBLE_BYTES, 0x20));
  }

  private put(b: Buffer): number {
    const at = this.pos;
    this.sink.write(b);
    this.pos += b.length;
    return at;
  }

  agent(name: string, raw: unknown): AgentEntry | undefined {
    const line = Buffer.from(JSON.stringify([name, raw]) + "\n");
    const at = this.put(line);
    this.records.push(nameHash(name), at, line.length - 1);
    this.count++;
    let entry: AgentEntry;
    try {
      entry = parseAgentEntry(name, raw, this.label);
    } catch {
      this.invalid ??= name;
      return undefined;
    }
    this.search.write(Buffer.from(JSON.stringify([name, entry.description ?? null, latestVersion(entry) ?? null, entry.deprecated ?? null]) + "\n"));
    return entry;
  }

  file(registryPath: string, bytes: Buffer): void {
    this.endLines();
    this.files[registryPath] = [this.put(bytes), bytes.length];
  }

  private endLines(): void {
    if (this.linesEnd >= 0) return;
    this.linesEnd = this.pos;
    // the search lines go right after the agent lines: files are placed after them
    const search = this.search.take();
    this.searchAt = [this.pos, search.reduce((n, b) => n + b.length, 0)];
    for (const b of search) this.put(b);
  }

  finish(top: { name: string; description?: string }): void {
    this.endLines();
    const n = this.records.length / 3;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.records[a * 3]! - this.records[b * 3]! || a - b);
    const table = Buffer.allocUnsafe(n * RECORD_BYTES);
    order.forEach((r, i) => {
      table.writeUInt32LE(this.records[r * 3]!, i * RECORD_BYTES);
      table.writeUInt32LE(this.records[r * 3 + 1]!, i * RECORD_BYTES + 4);
      table.writeUInt32LE(this.records[r * 3 + 2]!, i * RECORD_BYTES + 8);
    });
    const tableAt = this.put(table);
    const header: Header = {
      format: FORMAT,
      name: top.name,
      ...(top.description !== undefined ? { description: top.description } : {}),
      count: this.count,
      lines: [PREAMBLE_BYTES, this.linesEnd - PREAMBLE_BYTES],
      search: this.searchAt,
      table: [tableAt, n],
      files: this.files,
      ...(this.invalid !== undefined ? { invalid: this.invalid } : {}),
    };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const headerAt = this.put(headerBytes);
    if (this.pos > 0xffffffff) throw new Error("internal: registry index over 4 GiB");
    const preamble = Buffer.alloc(PREAMBLE_BYTES, 0x20);
    preamble.write(`${FORMAT} ${headerAt} ${headerBytes.length}`);
    preamble[PREAMBLE_BYTES - 1] = 0x0a;
    this.sink.patch(0, preamble);
  }
}

/** One agent's entry of registry.json, as JSON: a syntax error names the agent. */
export function parseEntryJson(bytes: ScanBytes, [start, end]: [number, number], name: string, label: string): unknown {
  try {
    return JSON.parse(bytes.text(start, end));
  } catch (err) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${label} registry.json: agents.${name}: invalid JSON (${String((err as Error).message).split("\n")[0]})`, {
      hint: "the registry's maintainers must fix registry.json (agentpkg never guesses)",
    });
  }
}

/**
 * registry.json -> the index, in memory, with the given version files (registry path -> bytes). Fails as
 * parseRegistryJson does on the top level, agent names and JSON syntax; a bad entry fails when read.
 */
export function toRegistryLines(registry: string | Buffer, label: string, files: ReadonlyMap<string, Buffer> = new Map()): Buffer {
  const bytes = bufferBytes(typeof registry === "string" ? Buffer.from(registry) : registry);
  const scanned = scanRegistryJson(bytes, label);
  const sink = memorySink();
  const w = new RegistryLinesWriter(sink, label);
  for (const [name, at] of scanned.agents) w.agent(name, parseEntryJson(bytes, at, name, label));
  for (const [file, data] of files) w.file(file, data);
  w.finish(scanned);
  return sink.bytes();
}
