import { mkdirSync, readFileSync, renameSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { sha256 } from "../util/hash.js";

type Entry = [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha: string];

/** An entry is trusted only when the file was last changed well before it was recorded (git's "racily clean" rule). */
const RACY_MS = 2000;

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
    private readonly entries: Record<string, Entry>,
  ) {}

  static load(cacheRoot: string, scopeRoot: string): StatCache {
    const file = path.join(cacheRoot, "stat", `${sha256(scopeRoot).slice(0, 24)}.json`);
    let entries: Record<string, Entry> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) entries = parsed as Record<string, Entry>;
    } catch {
      // absent or unreadable: start empty
    }
    return new StatCache(file, entries);
  }

  lookup(rel: string, st: Stats): string | undefined {
    const e = Object.hasOwn(this.entries, rel) ? this.entries[rel] : undefined;
    if (!Array.isArray(e) || e.length !== 5) return undefined;
    return e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ctimeMs && e[3] === st.ino ? e[4] : undefined;
  }

  record(rel: string, st: Stats, sha: string, now = Date.now()): void {
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) {
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
      writeFileSync(tmp, JSON.stringify(this.entries));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // read-only cache: fine
    }
  }
}
