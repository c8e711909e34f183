import { gzipSync } from "node:zlib";
import { Header } from "tar";

/** One raw tar entry, written exactly as given (no checks): for building hostile archives in tests. */
export interface RawEntry {
  path: string;
  data?: string | Buffer;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "BlockDevice" | "FIFO" | "ExtendedHeader";
  linkpath?: string;
  /** claim this size in the header instead of the data's */
  size?: number;
}

/** A .tgz (or plain tar) with exactly these entries, in this order, then `trailing` bytes after the end-of-archive marker. */
export function craftTar(entries: RawEntry[], o: { gzip?: boolean; trailing?: Buffer } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === "string" ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const h = new Header({
      path: e.path,
      type: e.type ?? "File",
      size: e.size ?? data.length,
      mode: e.type === "Directory" ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      linkpath: e.linkpath,
      uname: "",
      gname: "",
    });
    const block = Buffer.alloc(512);
    h.encode(block);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  if (o.trailing) blocks.push(o.trailing);
  const tar = Buffer.concat(blocks);
  return o.gzip === false ? tar : gzipSync(tar);
}
