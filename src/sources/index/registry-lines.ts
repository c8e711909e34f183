// The cached form of a git registry's registry.json: a header line that says where each agent's line
// starts, then one line per agent, then (optionally) the bytes of each agent's newest version file. A
// command that needs a few agents of a large registry reads the header and those lines only, and parses
// and checks only them, instead of every version of every agent (DESIGN.md §3: never load more than a
// command needs; §7: a 1,000-agent index is 1.3 MB); installing a newest version needs no git run.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { dict, isPlainObject, own, parseJsonFile } from "../../util/json.js";
import { parseAgentEntry, registryTop } from "../git-registry/registry-json.js";
import type { AgentEntry } from "../source.js";

const FORMAT = "agentpkg-registry-lines/3";
/** In the cache file's name, so that another format is never read (nor overwritten) by mistake. */
export const INDEX_FORMAT = "v3";

interface Header {
  format: string;
  name: string;
  description?: string;
  /** agent name -> [offset of its line after the header, length without the newline] */
  lines: Record<string, [number, number]>;
  /** registry path of a version file -> [offset of its bytes after the header, length] */
  files?: Record<string, [number, number]>;
}

/**
 * registry.json text -> the line form, with the given version files (registry path -> bytes) after the
 * lines. Fails as parseRegistryJson does on the top level and agent names.
 */
export function toRegistryLines(registry: string | RegistryTop, label: string, files: ReadonlyMap<string, Buffer> = new Map()): Buffer {
  const top = typeof registry === "string" ? parseRegistryTop(registry, label) : registry;
  const body: Buffer[] = [];
  const lines: Header["lines"] = dict();
  let offset = 0;
  for (const [name, entry] of Object.entries(top.agents)) {
    const line = Buffer.from(JSON.stringify([name, entry]) + "\n");
    lines[name] = [offset, line.length - 1];
    body.push(line);
    offset += line.length;
  }
  const fileAt: Header["files"] = dict();
  for (const [file, bytes] of files) {
    fileAt[file] = [offset, bytes.length];
    body.push(bytes);
    offset += bytes.length;
  }
  const header: Header = { format: FORMAT, name: top.name, ...(top.description !== undefined ? { description: top.description } : {}), lines, ...(files.size ? { files: fileAt } : {}) };
  return Buffer.concat([Buffer.from(JSON.stringify(header) + "\n"), ...body]);
}


export type RegistryTop = ReturnType<typeof registryTop>;

/** registry.json's top level, checked (names of agents included), its entries not yet. */
export function parseRegistryTop(text: string, label: string): RegistryTop {
  return registryTop(parseJsonFile(text, `${label} registry.json`, "E_REGISTRY_INVALID"), label);
}

function parseHeader(text: string): Header | undefined {
  try {
    const h = JSON.parse(text) as Partial<Header>;
    if (h.format !== FORMAT || typeof h.name !== "string" || !isPlainObject(h.lines)) return undefined;
    return { ...(h as Header), lines: dict(h.lines), ...(isPlainObject(h.files) ? { files: dict(h.files) } : {}) };
  } catch {
    return undefined;
  }
}

/** An agent's entry is checked (as parseRegistryJson checks it) when it is first read. */
export class RegistryLines {
  private readonly entries = new Map<string, AgentEntry | null>();

  private constructor(
    private readonly header: Header,
    /** offset of the first agent line */
    private readonly bodyStart: number,
    /** the whole index in memory, or (until all() needs everything) the cache file to read lines from */
    private bytes: Buffer | string,
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
    const end = buf.indexOf(0x0a);
    const header = end < 0 ? undefined : parseHeader(buf.toString("utf8", 0, end));
    return header && new RegistryLines(header, end + 1, buf, label);
  }

  /** The cache file, reading only its header now; undefined when absent or in another format. */
  static open(file: string, label: string): RegistryLines | undefined {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return undefined;
    }
    try {
      const chunks: Buffer[] = [];
      for (let pos = 0; ; ) {
        const chunk = Buffer.allocUnsafe(64 * 1024);
        const n = readSync(fd, chunk, 0, chunk.length, pos);
        const nl = chunk.subarray(0, n).indexOf(0x0a);
        chunks.push(chunk.subarray(0, nl < 0 ? n : nl));
        pos += n;
        if (nl >= 0 || n === 0) {
          const headerBytes = Buffer.concat(chunks);
          const header = nl < 0 ? undefined : parseHeader(headerBytes.toString("utf8"));
          return header && new RegistryLines(header, headerBytes.length + 1, file, label);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  get(name: string): AgentEntry | null {
    let entry = this.entries.get(name);
    if (entry === undefined) {
      const at = own(this.header.lines, name);
      entry = at === undefined ? null : this.parseLine(name, at);
      this.entries.set(name, entry);
    }
    return entry;
  }

  /** The bytes of a version file kept in the index (see toRegistryLines), unchecked: verify its sha256. */
  file(registryPath: string): Buffer | undefined {
    const files = this.header.files;
    const at = own(files, registryPath);
    return at === undefined ? undefined : this.read(this.bodyStart + at[0], at[1]);
  }

  /** Every agent, each checked. */
  all(): AgentEntry[] {
    if (typeof this.bytes === "string") this.bytes = readFileSync(this.bytes);
    return Object.keys(this.header.lines).map((name) => this.get(name)!);
  }

  private parseLine(name: string, [offset, length]: [number, number]): AgentEntry {
    const [lineName, raw] = JSON.parse(this.read(this.bodyStart + offset, length).toString("utf8")) as [string, unknown];
    if (lineName !== name) throw new Error(`internal: registry index line for ${name} holds ${String(lineName)}`);
    return parseAgentEntry(name, raw, this.label);
  }

  private read(start: number, length: number): Buffer {
    return typeof this.bytes === "string" ? readAt(this.bytes, start, length) : this.bytes.subarray(start, start + length);
  }
}

function readAt(file: string, start: number, length: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(length);
    const n = readSync(fd, buf, 0, length, start);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
