// registry.json of a checkout, for a change to one agent's entry: the file is scanned through a window
// (never whole in memory, never as one object), every entry checked one at a time, and the new file is
// the old one with that entry's bytes replaced (or a new entry inserted), every other byte kept. A
// 100,000-agent registry.json is 33 MB: parsing it whole took publish to ~470 MB (docs/performance.md).
import { closeSync, readSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { parseJsonFile } from "../util/json.js";
import { READ_LIMITS, refusal, tryOpenRegularFile } from "../util/safe-read.js";
import { withSmallYoungGeneration } from "../util/small-young-generation.js";
import { parseAgentEntry } from "../sources/git-registry/registry-json.js";
import { scanRegistryJson, type ScannedRegistry } from "../sources/index/registry-json-scan.js";
import { parseEntryJson } from "../sources/index/registry-lines-writer.js";
import { FileBytes, type ScanBytes } from "../sources/index/scan-bytes.js";

/** Bytes [start, end) of the file replaced by `text`. */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** An entry's place in registry.json: agents.<name>, two levels down, 2 spaces a level. */
const ENTRY_INDENT = "    ";

/** The entry as `JSON.stringify(registry, null, 2)` writes it at its place (strings never hold a raw newline). */
export function entryJson(entry: unknown): string {
  return JSON.stringify(entry, null, 2).replace(/\n/g, `\n${ENTRY_INDENT}`);
}

/**
 * The splice that sets agents.<name> to `entry`: its value's bytes when present; else a new member where
 * insertKey would put it (sorted place when the names are sorted, else after the last one), or the
 * whole `agents` object when it is empty.
 */
export function entrySplice(scanned: ScannedRegistry, name: string, entry: unknown): Splice {
  const text = entryJson(entry);
  let sorted = true;
  let prev: string | undefined;
  let prevEnd = -1;
  let lastEnd = -1;
  /** the end of the member before the first name above `name` (-1: that name is the first) */
  let before: number | undefined;
  for (const [n, [start, end]] of scanned.agents) {
    if (n === name) return { start, end, text };
    if (prev !== undefined && prev > n) sorted = false;
    if (before === undefined && n > name) before = prevEnd;
    prev = n;
    prevEnd = end;
    lastEnd = Math.max(lastEnd, end);
  }
  const member = `${JSON.stringify(name)}: ${text}`;
  const [open, close] = scanned.agentsAt;
  if (scanned.count === 0) return { start: open, end: close, text: `{\n${ENTRY_INDENT}${member}\n  }` };
  if (sorted && before === -1) return { start: open + 1, end: open + 1, text: `\n${ENTRY_INDENT}${member},` };
  const at = sorted && before !== undefined ? before : lastEnd;
  return { start: at, end: at, text: `,\n${ENTRY_INDENT}${member}` };
}

const CHUNK_BYTES = 1 << 20;

/** Bytes [start, end) of the file, a chunk at a time; each chunk is only valid until the next is asked for. */
function* fileRange(fd: number, start: number, end: number): Generator<Buffer> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(end - start, 1)));
  for (let pos = start; pos < end; ) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (got === 0) throw new AgentpkgError("E_IO", "registry.json changed while it was being rewritten; nothing was changed", { hint: "run the same command again" });
    yield buf.subarray(0, got);
    pos += got;
  }
}

export interface RegistryJsonFile {
  /** how many agents registry.json lists */
  count: number;
  /** whether registry.json lists the agent */
  has(name: string): boolean;
  /** the agent's entry as JSON.parse gives it (checked); undefined when registry.json has none */
  entry(name: string): Record<string, unknown> | undefined;
  /** every agent's name and entry (checked), in registry.json's order, parsed one at a time; `at` for entryAt */
  entries(): Generator<{ name: string; entry: Record<string, unknown>; at: [number, number] }>;
  /** an entry entries() gave, parsed again */
  entryAt(name: string, at: [number, number]): Record<string, unknown>;
  /** registry.json with agents.<name> set to `entry`, made as it is written (valid while `fn` runs) */
  withEntry(name: string, entry: unknown): Generator<Buffer>;
}

function checkEntries(bytes: ScanBytes, scanned: ScannedRegistry, label: string): void {
  for (const [name, at] of scanned.agents) {
    let raw: unknown;
    try {
      raw = parseEntryJson(bytes, at, name, label);
    } catch (err) {
      // the usual parser's message (its line and column), read whole only now that the file is bad
      parseJsonFile(bytes.text(0, bytes.length), `${label} registry.json`, "E_REGISTRY_INVALID");
      throw err;
    }
    parseAgentEntry(name, raw, label);
  }
}

/**
 * Open the checkout's registry.json, check it as parseRegistryJson does (the top level, every name and
 * entry), and run `fn` with it; the file stays open until `fn` is done.
 */
export async function withRegistryJsonFile<T>(repo: { dir: string; label: string; remote: string | null }, fn: (reg: RegistryJsonFile) => Promise<T>): Promise<T> {
  const display = `${repo.label}: registry.json`;
  const limit = READ_LIMITS.registryIndex;
  const r = tryOpenRegularFile(path.join(repo.dir, "registry.json"), { limit, noFollow: true });
  if (!r.ok && r.kind === "missing") {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label} has no registry.json at its root`, { hint: `agentpkg registry init ${repo.remote ? "DIR" : repo.label}` });
  }
  if (!r.ok) throw refusal(r, limit, { display });
  const { fd, size } = r;
  try {
    const bytes = new FileBytes(fd, size);
    const scanned = await withSmallYoungGeneration(async () => {
      const s = scanRegistryJson(bytes, repo.label);
      checkEntries(bytes, s, repo.label);
      return s;
    });
    return await fn({
      count: scanned.count,
      has: (name) => scanned.has(name),
      entry(name) {
        const at = scanned.span(name);
        return at === undefined ? undefined : (parseEntryJson(bytes, at, name, repo.label) as Record<string, unknown>);
      },
      *entries() {
        for (const [name, at] of scanned.agents) yield { name, entry: parseEntryJson(bytes, at, name, repo.label) as Record<string, unknown>, at };
      },
      entryAt: (name, at) => parseEntryJson(bytes, at, name, repo.label) as Record<string, unknown>,
      *withEntry(name, entry) {
        const s = entrySplice(scanned, name, entry);
        yield* fileRange(fd, 0, s.start);
        yield Buffer.from(s.text);
        yield* fileRange(fd, s.end, size);
      },
    });
  } finally {
    closeSync(fd);
  }
}
