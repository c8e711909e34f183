// registry.json read without building it as one object: the top level is walked byte by byte and each
// agent's entry is located (start and end), to be parsed one at a time. A 100,000-agent registry.json is
// 25-33 MB; JSON.parse of it holds ~200 MB of objects at once, this holds a window of the bytes (a file's:
// scan-bytes.ts), the names and one entry (DESIGN.md §7).
import { AgentpkgError } from "../../util/errors.js";
import { parseJsonFile } from "../../util/json.js";
import { failer, registryTop } from "../git-registry/registry-json.js";
import { isValidAgentName } from "../../util/names.js";
import { bufferBytes, type ScanBytes } from "./scan-bytes.js";

export interface ScannedRegistry {
  name: string;
  description?: string;
  /** every agent: its name, and where its entry's JSON starts and ends in the bytes (a later duplicate wins, as in JSON.parse) */
  agents: Iterable<[name: string, at: [start: number, end: number]]>;
  count: number;
  /** whether `name` is one of the agents */
  has(name: string): boolean;
  /** where one agent's entry starts and ends; undefined when there is none */
  span(name: string): [start: number, end: number] | undefined;
  /** where the `agents` object starts and ends (its braces included) */
  agentsAt: [start: number, end: number];
}

/** Names and spans, without an object per agent (100,000 agents: a few MB). */
class Spans {
  private readonly index = new Map<string, number>();
  private readonly at: number[] = [];

  set(name: string, start: number, end: number): void {
    const i = this.index.get(name);
    if (i !== undefined) {
      this.at[i * 2] = start;
      this.at[i * 2 + 1] = end;
    } else {
      this.index.set(name, this.at.length / 2);
      this.at.push(start, end);
    }
  }

  /** a second top-level "agents" replaces the first, as with JSON.parse */
  clear(): void {
    this.index.clear();
    this.at.length = 0;
  }

  get size(): number {
    return this.index.size;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  span(name: string): [number, number] | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : [this.at[i * 2]!, this.at[i * 2 + 1]!];
  }

  names(): IterableIterator<string> {
    return this.index.keys();
  }

  *[Symbol.iterator](): Generator<[string, [number, number]]> {
    for (const [name, i] of this.index) yield [name, [this.at[i * 2]!, this.at[i * 2 + 1]!]];
  }
}

const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

class Scanner {
  pos = 0;
  constructor(
    readonly buf: ScanBytes,
    private readonly fail: (msg: string) => never,
  ) {}

  ws(): void {
    while (this.pos < this.buf.length && isWs(this.buf.at(this.pos))) this.pos++;
  }

  expect(ch: string): void {
    this.ws();
    if (this.buf.at(this.pos) !== ch.charCodeAt(0)) this.fail(`expected '${ch}' at byte ${this.pos}`);
    this.pos++;
  }

  /** Past a string starting at pos; returns its [start, end). */
  string(): [number, number] {
    const start = this.pos;
    if (this.buf.at(this.pos) !== 0x22) this.fail(`expected a string at byte ${this.pos}`);
    for (let from = this.pos + 1; ; ) {
      const q = this.buf.indexOf(0x22, from);
      if (q < 0) return this.fail("unterminated string");
      let backslashes = 0;
      while (this.buf.at(q - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) {
        this.pos = q + 1;
        return [start, this.pos];
      }
      from = q + 1;
    }
  }

  /** Past any value starting at pos (its syntax inside is checked when it is parsed); returns its [start, end). */
  value(): [number, number] {
    this.ws();
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.buf.length) {
      const c = this.buf.at(this.pos)!;
      if (c === 0x22) {
        this.string();
        if (depth === 0) return [start, this.pos];
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break; // the end of the enclosing object
        depth--;
        if (depth === 0) {
          this.pos++;
          return [start, this.pos];
        }
      } else if (depth === 0 && (c === 0x2c || isWs(c))) break; // the end of a number or literal
      this.pos++;
    }
    if (depth > 0) this.fail("unexpected end of the file");
    if (this.pos === start) this.fail(`expected a value at byte ${start}`);
    return [start, this.pos];
  }

  /**
   * The members of the object starting at pos: key text and value span, one by one. `valueOf` may walk a
   * member's value itself (returning its span), instead of value() skipping it.
   */
  *members(valueOf?: (key: string) => [number, number] | undefined): Generator<[key: string, start: number, end: number]> {
    this.expect("{");
    this.ws();
    if (this.buf.at(this.pos) === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      const [ks, ke] = this.string();
      // a key without escapes is its bytes (agent names are ASCII); JSON.parse only for the others
      const raw = this.buf.text(ks, ke);
      const key = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      this.expect(":");
      const [vs, ve] = valueOf?.(key) ?? this.value();
      yield [key, vs, ve];
      this.ws();
      const c = this.buf.at(this.pos);
      this.pos++;
      if (c === 0x7d) return;
      if (c !== 0x2c) this.fail(`expected ',' or '}' at byte ${this.pos - 1}`);
    }
  }
}

/**
 * The top level of registry.json, checked as parseRegistryJson checks it (agent names included), with
 * each agent's entry located but not parsed. Syntax errors inside an entry surface when it is parsed.
 */
export function scanRegistryJson(registry: Buffer | ScanBytes, label: string): ScannedRegistry {
  const bytes = Buffer.isBuffer(registry) ? bufferBytes(registry) : registry;
  const file = `${label} registry.json`;
  const fail = (msg: string): never => {
    // the usual parser's message (its line, conflict markers), read whole only now that the file is bad
    parseJsonFile(bytes.text(0, bytes.length), file, "E_REGISTRY_INVALID");
    throw new AgentpkgError("E_REGISTRY_INVALID", `${file}: invalid JSON (${msg})`, { hint: `fix the JSON syntax in ${file}` });
  };
  const bom = bytes.at(0) === 0xef && bytes.at(1) === 0xbb && bytes.at(2) === 0xbf ? 3 : 0;
  const s = new Scanner(bytes, fail);
  s.pos = bom;
  s.ws();
  if (s.buf.at(s.pos) !== 0x7b) {
    // not an object: the usual parse says what is wrong, or registryTop that it must be an object
    registryTop(parseJsonFile(bytes.text(0, bytes.length), file, "E_REGISTRY_INVALID"), label);
    return fail("expected an object");
  }
  const top: Record<string, unknown> = Object.create(null);
  let agentsAt: [number, number] | undefined;
  const agents = new Spans();
  // the agents object is walked once: its members are located as the top level is scanned
  const agentsOf = (key: string): [number, number] | undefined => {
    if (key !== "agents") return undefined;
    s.ws();
    if (s.buf.at(s.pos) !== 0x7b) return undefined;
    const start = s.pos;
    agents.clear();
    for (const [name, vs, ve] of s.members()) agents.set(name, vs, ve); // a later duplicate wins, in the first one's place, as with JSON.parse
    return [start, s.pos];
  };
  try {
    for (const [key, start, end] of s.members(agentsOf)) {
      if (key === "agents") agentsAt = [start, end];
      else top[key] = JSON.parse(bytes.text(start, end));
    }
    s.ws();
    if (s.pos < bytes.length) fail(`unexpected content after the top-level object at byte ${s.pos}`);
  } catch (err) {
    if (err instanceof AgentpkgError) throw err;
    fail((err as Error).message.split("\n")[0]!); // a key or a top-level value that is not JSON
  }
  // the checks of registryTop, with an empty object (or a non-object) standing in for `agents`, then its names
  const shape = agentsAt === undefined ? undefined : bytes.at(agentsAt[0]) === 0x7b ? {} : [];
  const checked = registryTop({ ...top, ...(shape !== undefined ? { agents: shape } : {}) }, label);
  for (const name of agents.names()) if (!isValidAgentName(name)) failer(label)(`invalid agent name ${JSON.stringify(name)}`);
  return { name: checked.name, ...(checked.description !== undefined ? { description: checked.description } : {}), agents, count: agents.size, has: (name) => agents.has(name), span: (name) => agents.span(name), agentsAt: agentsAt! };
}
