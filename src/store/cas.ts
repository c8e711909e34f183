import { existsSync } from "node:fs";
import path from "node:path";
import { sha256, SHA256_RE } from "../util/hash.js";
import { writeFileAtomic } from "../util/atomic.js";
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
    if (!SHA256_RE.test(hash)) return undefined;
    try {
      const r = tryReadRegularFile(this.pathFor(hash), { limit: MAX_PLUGIN_FILE_BYTES });
      return r.ok && sha256(r.data) === hash ? r.data : undefined;
    } catch {
      return undefined;
    }
  }

  async has(hash: string): Promise<boolean> {
    return existsSync(this.pathFor(hash));
  }

  async put(data: Buffer): Promise<string> {
    const hash = sha256(data);
    // not fsynced: get() re-verifies every read, so a write lost to a crash is only a miss
    if (!(await this.has(hash))) await writeFileAtomic(this.pathFor(hash), data, { durable: false });
    return hash;
  }
}
