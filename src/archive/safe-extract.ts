import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { AgentpkgError } from "../util/errors.js";
import { own } from "../util/json.js";

/** What an archive may hold; anything outside it refuses the whole archive. */
export interface ExtractPolicy {
  /** shown in every error, e.g. the archive's file name */
  label: string;
  maxEntries: number;
  /** sum of all entry sizes, and (with header overhead) the decompressed size */
  maxTotalBytes: number;
  maxFileBytes(path: string): number;
  /** files to read; others are skipped unread (their paths are still checked). Default: all. */
  want?(path: string): boolean;
}

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const DIR_TYPES = new Set(["Directory", "GNUDumpDir"]);
const TYPE_WORDS: Record<string, string> = {
  SymbolicLink: "a symbolic link",
  Link: "a hard link",
  CharacterDevice: "a device file",
  BlockDevice: "a device file",
  FIFO: "a FIFO",
};

/** A relative path with no '..', no absolute or drive prefix, no backslash or control characters; "" = the root. */
export function checkEntryPath(raw: string): { path: string } | { why: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { why: "contains control characters" };
  if (raw.includes("\\")) return { why: "contains a backslash" };
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) return { why: "is an absolute path" };
  const parts = raw.split("/");
  if (parts.includes("..")) return { why: "contains a '..' segment (it would escape the folder)" };
  return { path: parts.filter((p) => p !== "" && p !== ".").join("/") };
}

function refusal(label: string, message: string, code: "E_UNSAFE" | "E_INTEGRITY" = "E_UNSAFE"): AgentpkgError {
  return new AgentpkgError(code, `${label}: ${message}`, {
    hint: code === "E_UNSAFE" ? "the archive was damaged or crafted to be unsafe; nothing was written" : "the archive is damaged; nothing was written",
  });
}

/**
 * Read a .tgz (or plain .tar) into memory, refusing the whole archive on the first unsafe entry:
 * only regular files (directories are skipped), no absolute paths, no '..', no links, no device files,
 * no duplicates, per-file / total size and entry-count limits, and a bounded decompressed size.
 * Nothing is written anywhere: the caller verifies the files and decides what to do with them.
 */
export async function readArchive(archive: Buffer, p: ExtractPolicy): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const paths = new WeakMap<ReadEntry, string>();
  let failure: AgentpkgError | undefined;
  let entries = 0;
  let total = 0;
  const fail = (msg: string, code?: "E_UNSAFE" | "E_INTEGRITY"): false => {
    failure ??= refusal(p.label, msg, code);
    return false;
  };

  const seen = new WeakSet<ReadEntry>();
  const decide = (entry: ReadEntry): boolean => {
    seen.add(entry);
    if (failure) return false;
    if (++entries > p.maxEntries) return fail(`more than ${p.maxEntries} entries`);
    const name = JSON.stringify(entry.path);
    const checked = checkEntryPath(entry.path);
    if ("why" in checked) return fail(`entry ${name} ${checked.why}`);
    total += entry.size;
    if (total > p.maxTotalBytes) return fail(`holds more than ${p.maxTotalBytes} bytes`);
    if (DIR_TYPES.has(entry.type)) return false;
    const wanted = checked.path !== "" && (p.want?.(checked.path) ?? true);
    if (!wanted) return false;
    if (!FILE_TYPES.has(entry.type)) {
      const what = own(TYPE_WORDS, entry.type) ?? `of unsupported type ${entry.type}`;
      return fail(`entry ${name} is ${what}${entry.linkpath ? ` (to ${JSON.stringify(entry.linkpath)})` : ""}; only regular files are allowed`);
    }
    const limit = p.maxFileBytes(checked.path);
    if (entry.size > limit) return fail(`entry ${name} is ${entry.size} bytes, over the ${limit}-byte limit`);
    if (files.has(checked.path)) return fail(`entry ${name} appears twice`);
    files.set(checked.path, Buffer.alloc(0));
    paths.set(entry, checked.path);
    return true;
  };

  const parser = new Parser({
    strict: true,
    maxMetaEntrySize: 64 * 1024,
    filter: (_path, entry) => decide(entry as ReadEntry),
    onReadEntry: (entry) => {
      const rel = paths.get(entry);
      if (rel === undefined) return void entry.resume();
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => {
        const data = Buffer.concat(chunks);
        if (data.length !== entry.size) fail(`entry ${JSON.stringify(rel)} is truncated`, "E_INTEGRITY");
        files.set(rel, data);
      });
    },
  });
  // entries the parser skips without asking the filter: unknown types, oversized extended headers
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    if (seen.has(entry)) return;
    if (entry.meta) fail(`an extended header of ${entry.size} bytes is over the limit`);
    else fail(`entry ${JSON.stringify(entry.path)} is of unsupported type ${entry.type}; only regular files are allowed`);
  });

  await feed(parser, archive, p, fail, () => failure !== undefined);
  if (failure) throw failure;
  return files;
}

/**
 * Decompress with a budget (a gzip bomb stops at the limit) and feed the tar parser, up to the
 * end-of-archive marker (two zero blocks). What follows the marker (padding, or anything appended) is
 * ignored and never even decompressed: node-tar buffers bytes after the marker by concatenating every new
 * chunk onto them, which takes quadratic time (a 41 KB .tgz of zeros: 40 seconds).
 */
function feed(parser: Parser, archive: Buffer, p: ExtractPolicy, fail: (m: string, c?: "E_INTEGRITY") => false, failed: () => boolean): Promise<void> {
  const budget = p.maxTotalBytes + (p.maxEntries + 2) * 2048;
  let atEnd = false;
  parser.on("eof", () => (atEnd = true));
  return new Promise<void>((resolve) => {
    parser.on("error", (err: Error) => {
      fail(`not a valid tar archive (${err.message.replace(/^TAR_\w+: /, "")})`, "E_INTEGRITY");
      resolve();
    });
    parser.on("end", () => resolve());
    const gzipped = archive.length >= 2 && archive[0] === 0x1f && archive[1] === 0x8b;
    if (!gzipped) {
      if (archive.length > budget) {
        fail(`is over ${budget} bytes`);
        return resolve();
      }
      parser.end(archive);
      return;
    }
    const gunzip = createGunzip();
    let out = 0;
    gunzip.on("data", (chunk: Buffer) => {
      if (failed() || atEnd) return;
      out += chunk.length;
      if (out > budget) fail(`expands to more than ${budget} bytes`);
      else parser.write(chunk);
      if (failed()) {
        gunzip.destroy();
        resolve();
      } else if (atEnd) {
        gunzip.destroy();
        parser.end();
      }
    });
    gunzip.on("error", (err) => {
      fail(`not a valid gzip file (${err.message})`, "E_INTEGRITY");
      resolve();
    });
    gunzip.on("end", () => {
      if (failed()) resolve();
      else if (!atEnd) parser.end();
    });
    gunzip.end(archive);
  });
}
