// The cached form of a git registry's registry.json: a header line, then one line per agent. A command
// that needs a few agents of a large registry reads one file and parses only their lines, instead of
// parsing and checking every version of every agent (DESIGN.md §3: never load more than a command needs).
import { parseJsonFile } from "../util/json.js";
import { isValidAgentName } from "../util/names.js";
import { parseAgentEntry, registryTop } from "./registry-json.js";
import type { AgentEntry } from "./source.js";

const FORMAT = "agentpkg-registry-lines/1";

/** registry.json text -> the line form. Fails as parseRegistryJson does on the top level and agent names. */
export function toRegistryLines(text: string, label: string): Buffer {
  const top = registryTop(parseJsonFile(text, `${label} registry.json`, "E_REGISTRY_INVALID"), label);
  const lines = [JSON.stringify({ format: FORMAT, name: top.name, description: top.description })];
  for (const [name, entry] of Object.entries(top.agents)) lines.push(JSON.stringify([name, entry]));
  return Buffer.from(lines.join("\n") + "\n");
}

/** An agent's entry is checked (as parseRegistryJson checks it) when it is first read. */
export class RegistryLines {
  private readonly entries = new Map<string, AgentEntry | null>();

  private constructor(
    readonly name: string,
    readonly description: string | undefined,
    private readonly buf: Buffer,
    private readonly label: string,
  ) {}

  /** undefined when `buf` is not in this format (a cache file from another version: extract again). */
  static from(buf: Buffer, label: string): RegistryLines | undefined {
    const end = buf.indexOf(0x0a);
    if (end < 0) return undefined;
    let header: { format?: unknown; name?: unknown; description?: unknown };
    try {
      header = JSON.parse(buf.toString("utf8", 0, end)) as typeof header;
    } catch {
      return undefined;
    }
    if (header.format !== FORMAT || typeof header.name !== "string") return undefined;
    return new RegistryLines(header.name, typeof header.description === "string" ? header.description : undefined, buf, label);
  }

  get(name: string): AgentEntry | null {
    let entry = this.entries.get(name);
    if (entry === undefined) {
      // every line is JSON.stringify output (no raw newline inside), so `\n["name",` only starts that agent's line
      const at = isValidAgentName(name) ? this.buf.indexOf(`\n${JSON.stringify([name]).slice(0, -1)},`) : -1;
      entry = at < 0 ? null : this.parseLine(at + 1);
      this.entries.set(name, entry);
    }
    return entry;
  }

  /** Every agent, each checked. */
  all(): AgentEntry[] {
    const out: AgentEntry[] = [];
    let at = this.buf.indexOf(0x0a) + 1;
    while (at > 0 && at < this.buf.length) {
      const end = this.buf.indexOf(0x0a, at);
      const [name, raw] = JSON.parse(this.buf.toString("utf8", at, end < 0 ? this.buf.length : end)) as [string, unknown];
      let entry = this.entries.get(name);
      if (!entry) this.entries.set(name, (entry = parseAgentEntry(name, raw, this.label)));
      out.push(entry);
      at = end + 1;
    }
    return out;
  }

  private parseLine(at: number): AgentEntry {
    const end = this.buf.indexOf(0x0a, at);
    const [name, raw] = JSON.parse(this.buf.toString("utf8", at, end < 0 ? this.buf.length : end)) as [string, unknown];
    return parseAgentEntry(name, raw, this.label);
  }
}
