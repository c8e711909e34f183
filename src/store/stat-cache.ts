import { mkdirSync, renameSync, statSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { dict, isPlainObject, own } from "../util/json.js";
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

/**
 * A run that changed nothing (sync) or found nothing wrong (verify): what it read (a key of the manifest's
 * and lockfile's stats), the files it hashed, and the counts it reported.
 */
export interface Unchanged {
  inputs: string;
  files: string[];
  counts: number[];
}

const isUnchanged = (u: unknown): u is Unchanged => {
  const r = u as Unchanged;
  return isPlainObject(u) && typeof r.inputs === "string" && Array.isArray(r.files) && r.files.every((f) => typeof f === "string") && Array.isArray(r.counts) && r.counts.every((n) => typeof n === "number");
};

/** size, mtime, ctime and inode of a file ("-" when absent); undefined while it may still change unseen (racy). */
export function statKey(st: Stats | undefined, now = Date.now()): string | undefined {
  if (!st) return "-";
  if (now - Math.max(st.mtimeMs, st.ctimeMs) < racyMs(st)) return undefined;
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** statKey of each file (by absolute path), as one key; undefined while any of them may still change unseen. */
export function inputsKey(files: readonly string[], now = Date.now()): string | undefined {
  const keys = files.map((f) => statKey(statSync(f, { throwIfNoEntry: false }), now));
  return keys.includes(undefined) ? undefined : keys.join("|");
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
    /** by command: one record each, so alternating sync and verify does not evict the other's */
    private unchanged: Record<string, Unchanged>,
  ) {}

  static load(cacheRoot: string, scopeRoot: string): StatCache {
    const file = path.join(cacheRoot, "stat", `${fnv1a64(scopeRoot)}.json`);
    let entries: Record<string, Entry> = {};
    const unchanged = dict<Unchanged>();
    try {
      const r = tryReadRegularFile(file, { limit: READ_LIMITS.projectFile });
      const parsed = (r.ok ? JSON.parse(r.data.toString("utf8")) : undefined) as { root?: unknown; entries?: unknown; unchanged?: Unchanged };
      // another project whose root hashes alike, or another format: start empty
      if (parsed?.root === scopeRoot && isPlainObject(parsed.entries)) {
        entries = parsed.entries as Record<string, Entry>;
        // an older format (one record with a command) is dropped: it only costs one full run
        if (isPlainObject(parsed.unchanged)) for (const [command, u] of Object.entries(parsed.unchanged)) if (isUnchanged(u)) unchanged[command] = u;
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
    this.unchanged = dict(); // a file changed: no earlier run's outcome stands
    this.dirty = true;
  }

  private forget(rel: string): void {
    delete this.entries[rel];
    this.unchanged = dict();
    this.dirty = true;
  }

  /**
   * What a run of `command` reported when it last changed (or found) nothing, if its outcome would be the
   * same now: its inputs are as they were and every file it hashed still has the stat it had (see lookup).
   * Like every answer here, fit for "has anything changed" only: a run that writes re-hashes.
   */
  unchangedSince(command: string, inputs: string, statOf: (rel: string) => Stats | undefined): Readonly<Unchanged> | undefined {
    const u = own(this.unchanged, command);
    if (!u || u.inputs !== inputs) return undefined;
    for (const rel of u.files) {
      const st = statOf(rel);
      if (!st || this.lookup(rel, st) === undefined) return undefined;
    }
    return u;
  }

  /** Remember that a run of `command` changed (or found) nothing; `files` must all have fresh entries. */
  rememberUnchanged(command: string, inputs: string, files: string[], counts: number[]): void {
    if (!files.every((rel) => Object.hasOwn(this.entries, rel))) return;
    const u = own(this.unchanged, command);
    const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (u && u.inputs === inputs && same(u.counts, counts) && same(u.files, files)) return;
    this.unchanged[command] = { inputs, files, counts };
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
