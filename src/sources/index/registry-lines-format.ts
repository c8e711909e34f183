// The on-disk layout of a git registry's cached index, written once per registry commit, so that a command
// costs what it touches, not the size of the registry (DESIGN.md §7, issue #21):
//
//   preamble   64 bytes: "agentpkg-registry-lines/4 <header offset> <header length>", space-padded
//   lines      one line per agent, `[name, entry as registry.json has it]`, in registry.json's order
//   search     one line per valid agent, `[name, description, latest, deprecated]`: what search shows
//   files      the bytes of agents' newest version files (when they fit a budget)
//   table      12-byte records (FNV-1a hash of the name, offset, length of its line), sorted by hash
//   header     JSON: name, description, count, where each section is, the files by registry path
//
// `info NAME` or `install NAME` reads the preamble, the header, ~17 table records (a binary search) and one
// line, and checks only that entry; `search` reads the search lines only. The file is written as it is built
// (bounded memory) and the preamble last, so a torn file is never taken for a whole one.
import { dict, isPlainObject } from "../../util/json.js";

export const FORMAT = "agentpkg-registry-lines/4";
/** In the cache file's name, so that another format is never read (nor overwritten) by mistake. */
export const INDEX_FORMAT = "v4";
export const PREAMBLE_BYTES = 64;
export const RECORD_BYTES = 12;

export interface Header {
  format: string;
  name: string;
  description?: string;
  count: number;
  /** [offset, length] of the agent lines */
  lines: [number, number];
  /** [offset, length] of the search lines */
  search: [number, number];
  /** [offset, number of records] of the lookup table */
  table: [number, number];
  /** registry path of a version file -> [offset, length] */
  files: Record<string, [number, number]>;
  /** the first agent whose entry is invalid: listing every agent reports its error, as parsing all would */
  invalid?: string;
}

/** FNV-1a (32 bits) of a name's UTF-16 code units: agent names are ASCII. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const pair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isSafeInteger(n) && n >= 0);

export function parseHeader(text: string): Header | undefined {
  try {
    const h = JSON.parse(text) as Partial<Header>;
    if (h.format !== FORMAT || typeof h.name !== "string" || typeof h.count !== "number" || !pair(h.lines) || !pair(h.search) || !pair(h.table) || !isPlainObject(h.files)) return undefined;
    return { ...(h as Header), files: dict(h.files) };
  } catch {
    return undefined;
  }
}

/** The preamble's [header offset, header length]; undefined when it is not this format's. */
export function preambleOf(b: Buffer): [number, number] | undefined {
  const m = /^agentpkg-registry-lines\/4 (\d+) (\d+) *\n$/.exec(b.toString("latin1"));
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
