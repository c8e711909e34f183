import { existsSync } from "node:fs";
import path from "node:path";
import { sha256, SHA256_RE } from "../util/hash.js";
import { writeFileAtomicSync } from "../util/atomic.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import { MAX_PLUGIN_FILE_BYTES } from "../util/limits.js";

/**
 * Content-addressed store of pristine agent and plugin files: <cache>/store/sha256/ab/cdef… (as pnpm's cafs).
 * It is the merge base for local edits and lets sync/verify work offline. A plugin's file may be up to 16 MiB.
 */
export class ContentStore {
  constructor(private readonly cache: string) {}

  pathFor(hash: string): string {
    return path.join(this.cache, "store", "sha256", hash.slice(0, 2), hash.slice(2));
  }

  /** Bytes for a hash, re-verified on read; undefined when absent or corrupt. */
  async get(hash: string): Promise<Buffer | undefined> {
    return this.getSync(hash);
  }

  getSync(hash: string): Buffer | undefined {
    if (!SHA256_RE.test(hash)) return undefined;
    try {
      const r = tryReadRegularFile(this.pathFor(hash), { limit: MAX_PLUGIN_FILE_BYTES });
      return r.ok && sha256(r.data) === hash ? r.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the store holds these bytes (by name only: a caller that uses them reads them with get). */
  hasSync(hash: string): boolean {
    return SHA256_RE.test(hash) && existsSync(this.pathFor(hash));
  }

  async has(hash: string): Promise<boolean> {
    return existsSync(this.pathFor(hash));
  }

  async put(data: Buffer): Promise<string> {
    return this.putSync(data);
  }

  /** Store the bytes; returns their sha256. */
  putSync(data: Buffer): string {
    const hash = sha256(data);
    // not fsynced: get() re-verifies every read, so a write lost to a crash is only a miss
    if (!existsSync(this.pathFor(hash))) writeFileAtomicSync(this.pathFor(hash), data, { durable: false });
    return hash;
  }
}
