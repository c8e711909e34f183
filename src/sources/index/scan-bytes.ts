// The bytes registry-json-scan.ts walks: a Buffer, or a file read through a window of 1 MiB, so that
// scanning a 33 MB registry.json (100,000 agents) holds 1 MiB of it, not all of it (DESIGN.md §7).
import { readSync } from "node:fs";

export interface ScanBytes {
  readonly length: number;
  /** the byte at `i`, undefined past the end */
  at(i: number): number | undefined;
  /** the first `byte` at or after `from`, -1 if none */
  indexOf(byte: number, from: number): number;
  /** bytes [start, end) as UTF-8 */
  text(start: number, end: number): string;
}

export function bufferBytes(b: Buffer): ScanBytes {
  return {
    length: b.length,
    at: (i) => b[i],
    indexOf: (byte, from) => b.indexOf(byte, from),
    text: (start, end) => b.toString("utf8", start, end),
  };
}

const WINDOW_BYTES = 1 << 20;

/** A file of `length` bytes read in windows: forward scans read it once; one buffer is reused. */
export class FileBytes implements ScanBytes {
  private store = Buffer.allocUnsafe(0);
  private base = 0;
  private held = 0;

  constructor(
    private readonly fd: number,
    readonly length: number,
    /** tests use a few bytes, to cross window edges everywhere */
    private readonly window = WINDOW_BYTES,
  ) {}

  /** [start, end) in the window, reading from `start` when it is not. */
  private ensure(start: number, end: number): void {
    if (start >= this.base && end <= this.base + this.held) return;
    const size = Math.min(Math.max(this.window, end - start), this.length - start);
    if (this.store.length < size) this.store = Buffer.allocUnsafe(Math.max(size, this.window));
    let n = 0;
    while (n < size) {
      const got = readSync(this.fd, this.store, n, size - n, start + n);
      if (got === 0) break;
      n += got;
    }
    this.base = start;
    this.held = n;
  }

  at(i: number): number | undefined {
    if (i < 0 || i >= this.length) return undefined;
    this.ensure(i, i + 1);
    return this.store[i - this.base];
  }

  indexOf(byte: number, from: number): number {
    for (let pos = Math.max(0, from); pos < this.length; ) {
      this.ensure(pos, pos + 1);
      const k = this.store.subarray(0, this.held).indexOf(byte, pos - this.base);
      if (k >= 0) return this.base + k;
      pos = this.base + this.held;
    }
    return -1;
  }

  text(start: number, end: number): string {
    if (end <= start) return "";
    this.ensure(start, end);
    return this.store.toString("utf8", start - this.base, end - this.base);
  }
}
