import { mkdirSync, readFileSync, renameSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { isPlainObject } from "../util/json.js";

type Entry = [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha: string];

/**
 * An entry is trusted only when the file was last changed well before it was recorded (git's "racily
 * clean" rule): a change within the same timestamp tick would leave its stat as it was. Ticks are a few
 * milliseconds where timestamps have sub-second precision, up to 2 s where they are whole seconds (FAT).
 */
function racyMs(st: Stats): number {
  return st.mtimeMs % 1000 !== 0 || st.ctimeMs % 1000 !== 0 ? 100 : 2000;
}

/** FNV-1a (64 bit): names a project's cache file without loading node:crypto; the file also records the root. */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}

/**
 * sha256 of agent files keyed by what stat says about them, as git's index does: a file whose size,
 * mtime, ctime and inode are unchanged is not read and hashed again. It only ever answers "is this
 * file still what it was"; nothing that writes or deletes a file relies on it (those re-hash).
 * Kept in the cache dir, one small JSON file per project, never in the project.
 */
export class StatCache {
  private dirty = false;
  private constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly entries: Record<string, Entry>,
  ) {}

  static load(cacheRoot: string, scopeRoot: string): StatCache {
    const file = path.join(cacheRoot, "stat", `${fnv1a64(scopeRoot)}.json`);
    let entries: Record<string, Entry> = {};
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { root?: unknown; entries?: unknown };
      // another project whose root hashes alike, or another format: start empty
      if (parsed?.root === scopeRoot && isPlainObject(parsed.entries)) entries = parsed.entries as Record<string, Entry>;
    } catch {
      // absent or unreadable: start empty
    }
    return new StatCache(file, scopeRoot, entries);
  }

  lookup(rel: string, st: Stats): string | undefined {
    const e = Object.hasOwn(this.entries, rel) ? this.entries[rel] : undefined;
    if (!Array.isArray(e) || e.length !== 5) return undefined;
    return e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ctimeMs && e[3] === st.ino ? e[4] : undefined;
  }

  record(rel: string, st: Stats, sha: string, now = Date.now()): void {
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < racyMs(st)) {
      if (Object.hasOwn(this.entries, rel)) {
        delete this.entries[rel];
        this.dirty = true;
      }
      return;
    }
    this.entries[rel] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, sha];
    this.dirty = true;
  }

  /** Best effort: a cache that cannot be written only costs speed. */
  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ root: this.root, entries: this.entries }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // read-only cache: fine
    }
  }
}
