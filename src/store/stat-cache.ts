import { mkdirSync, renameSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { isPlainObject } from "../util/json.js";
import { READ_LIMITS, tryReadRegularFile } from "../util/safe-read.js";

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

/** A run that changed nothing, what it read (a key of the manifest's and lockfile's stats) and the files it hashed. */
interface Unchanged {
  command: string;
  inputs: string;
  files: string[];
  count: number;
}

/** size, mtime, ctime and inode of a file ("-" when absent); undefined while it may still change unseen (racy). */
export function statKey(st: Stats | undefined, now = Date.now()): string | undefined {
  if (!st) return "-";
  if (now - Math.max(st.mtimeMs, st.ctimeMs) < racyMs(st)) return undefined;
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
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
    private unchanged: Unchanged | undefined,
  ) {}

  static load(cacheRoot: string, scopeRoot: string): StatCache {
    const file = path.join(cacheRoot, "stat", `${fnv1a64(scopeRoot)}.json`);
    let entries: Record<string, Entry> = {};
    let unchanged: Unchanged | undefined;
    try {
      const r = tryReadRegularFile(file, { limit: READ_LIMITS.projectFile });
      const parsed = (r.ok ? JSON.parse(r.data.toString("utf8")) : undefined) as { root?: unknown; entries?: unknown; unchanged?: Unchanged };
      // another project whose root hashes alike, or another format: start empty
      if (parsed?.root === scopeRoot && isPlainObject(parsed.entries)) {
        entries = parsed.entries as Record<string, Entry>;
        const u = parsed.unchanged;
        if (u && typeof u.command === "string" && typeof u.inputs === "string" && Array.isArray(u.files) && typeof u.count === "number") unchanged = u;
      }
    } catch {
      // absent or unreadable: start empty
    }
    return new StatCache(file, scopeRoot, entries, unchanged);
  }

  lookup(rel: string, st: Stats): string | undefined {
    const e = Object.hasOwn(this.entries, rel) ? this.entries[rel] : undefined;
    if (!Array.isArray(e) || e.length !== 5) return undefined;
    return e[0] === st.size && e[1] === st.mtimeMs && e[2] === st.ctimeMs && e[3] === st.ino ? e[4] : undefined;
  }

  record(rel: string, st: Stats, sha: string, now = Date.now()): void {
    const old = Object.hasOwn(this.entries, rel) ? this.entries[rel] : undefined;
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < racyMs(st)) {
      if (old) this.forget(rel);
      return;
    }
    if (Array.isArray(old) && old[0] === st.size && old[1] === st.mtimeMs && old[2] === st.ctimeMs && old[3] === st.ino && old[4] === sha) return;
    this.entries[rel] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, sha];
    this.unchanged = undefined; // a file changed: no earlier run's outcome stands
    this.dirty = true;
  }

  private forget(rel: string): void {
    delete this.entries[rel];
    this.unchanged = undefined;
    this.dirty = true;
  }

  /**
   * The count a run of `command` reported when it last changed nothing, if it would change nothing now:
   * its inputs are as they were and every file it hashed still has the stat it had (see lookup).
   * Like every answer here, fit for "has anything changed" only: a run that writes re-hashes.
   */
  unchangedSince(command: string, inputs: string, statOf: (rel: string) => Stats | undefined): number | undefined {
    const u = this.unchanged;
    if (!u || u.command !== command || u.inputs !== inputs) return undefined;
    for (const rel of u.files) {
      const st = statOf(rel);
      if (!st || this.lookup(rel, st) === undefined) return undefined;
    }
    return u.count;
  }

  /** Remember that a run of `command` changed nothing; `files` must all have fresh entries. */
  rememberUnchanged(command: string, inputs: string, files: string[], count: number): void {
    if (!files.every((rel) => Object.hasOwn(this.entries, rel))) return;
    const u = this.unchanged;
    if (u && u.command === command && u.inputs === inputs && u.count === count && u.files.length === files.length && u.files.every((f, i) => f === files[i])) return;
    this.unchanged = { command, inputs, files, count };
    this.dirty = true;
  }

  /** Best effort: a cache that cannot be written only costs speed. */
  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ root: this.root, entries: this.entries, unchanged: this.unchanged }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // read-only cache: fine
    }
  }
}
