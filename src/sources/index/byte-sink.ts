// Where a registry index is written as it is built: memory (tests, the search lines while the agent lines
// are written) or a file descriptor through a buffer.
import { writeSync } from "node:fs";

/** Where the index is written: a file descriptor, or memory (tests, small registries). */
export interface LinesSink {
  write(bytes: Buffer): void;
  /** overwrite bytes already written (the preamble, last) */
  patch(at: number, bytes: Buffer): void;
}

/** Small writes are gathered into 64 KiB chunks (a Buffer per line would cost ~100 bytes more each). */
export function memorySink(): LinesSink & { bytes(): Buffer; take(): Buffer[] } {
  const chunks: Buffer[] = [];
  let open = Buffer.allocUnsafe(0);
  let used = 0;
  const close = () => {
    if (used > 0) chunks.push(open.subarray(0, used));
    open = Buffer.allocUnsafe(0);
    used = 0;
  };
  return {
    write: (b) => {
      if (b.length >= 16 * 1024) {
        close();
        chunks.push(b);
        return;
      }
      if (used + b.length > open.length) {
        close();
        open = Buffer.allocUnsafe(64 * 1024);
      }
      used += b.copy(open, used);
    },
    take: () => {
      close();
      return chunks.splice(0);
    },
    patch: (at, b) => {
      close();
      const all = Buffer.concat(chunks);
      b.copy(all, at);
      chunks.splice(0, chunks.length, all);
    },
    bytes: () => {
      close();
      return Buffer.concat(chunks);
    },
  };
}

/** Writes through a 1 MiB buffer: 100,000 lines are ~30 writes, not 100,000. */
export function fileSink(fd: number): LinesSink & { flush(): void } {
  let buf = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  const flush = () => {
    for (let off = 0; off < used; ) off += writeSync(fd, buf, off, used - off);
    used = 0;
  };
  return {
    write: (b) => {
      if (used + b.length > buf.length) flush();
      if (b.length > buf.length) {
        for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
        return;
      }
      used += b.copy(buf, used);
    },
    patch: (at, b) => {
      flush();
      writeSync(fd, b, 0, b.length, at);
    },
    flush,
  };
}
