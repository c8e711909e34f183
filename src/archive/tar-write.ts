import { gzipSync } from "node:zlib";
import { Header, Pax } from "tar";

/** One regular file to put in an archive; `path` is relative, with forward slashes. */
export interface ArchiveFile {
  path: string;
  data: Buffer;
}

/** The mtime of every entry (npm uses the same fixed date): archives never depend on when they were made. */
export const FIXED_MTIME = new Date("1985-10-26T08:15:00.000Z");
const BLOCK = 512;

/**
 * A .tgz whose bytes depend only on the files given: entries sorted by path, regular files only,
 * mode 0644, uid/gid 0, no user or group names, a fixed mtime, and a gzip header without a time,
 * a file name or an OS byte. The same input always gives the same bytes (for one zlib build).
 */
export function deterministicTgz(files: ArchiveFile[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Buffer[] = [];
  const seen = new Set<string>();
  for (const f of sorted) {
    if (seen.has(f.path)) throw new Error(`internal: ${f.path} added to an archive twice`);
    seen.add(f.path);
    blocks.push(...entryBlocks(f));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  const gz = gzipSync(Buffer.concat(blocks), { level: 9 });
  gz[9] = 0xff; // OS "unknown": zlib writes the build platform's code there
  return gz;
}

function entryBlocks(f: ArchiveFile): Buffer[] {
  const data: Parameters<typeof headerFor>[0] = { path: f.path, size: f.data.length };
  const header = headerFor(data);
  const out: Buffer[] = [];
  if (header.needPax) {
    // long or non-ASCII path: a pax extended header carries the real one
    out.push(new Pax({ path: f.path }).encode());
    const short = headerFor({ ...data, path: f.path.replace(/[^\x20-\x7e]/g, "_").slice(-99) });
    out.push(short.block!);
  } else out.push(header.block!);
  out.push(f.data);
  const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
  if (pad) out.push(Buffer.alloc(pad));
  return out;
}

function headerFor(d: { path: string; size: number }): Header {
  const h = new Header({ path: d.path, size: d.size, mode: 0o644, uid: 0, gid: 0, mtime: FIXED_MTIME, type: "File", uname: "", gname: "" });
  h.encode();
  return h;
}
