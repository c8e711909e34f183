import { mkdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { dict, own } from "../util/json.js";
import { decodeStatCache, encodeStatCache, type StoredRun } from "./stat-cache-format.js";
import { READ_LIMITS, tryReadRegularFile } from "../util/safe-read.js";

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
 * The key of a remembered no-op run (sync, verify) of a scope: agentpkg's version, the scope's kind (a
 * project at ~ has the user scope's manifest and lock paths, but not its settings files nor its lockfile
 * rules) and the stats of its manifest and lockfile; undefined while they may still change unseen.
 */
export function scopeRunKey(agentpkgVersion: string | undefined, scope: { global: boolean; manifestPath: string; lockPath: string }): string | undefined {
  const project = inputsKey([scope.manifestPath, scope.lockPath]);
  return project === undefined ? undefined : `agentpkg ${agentpkgVersion ?? "?"}|${scope.global ? "user" : "project"}|${project}`;
}

/**
 * sha256 of agent files keyed by what stat says about them, as git's index does: a file whose size,
 * mtime, ctime and inode are unchanged is not read and hashed again. It only ever answers "is this
 * file still what it was"; nothing that writes or deletes a file relies on it (those re-hash).
 * Kept in the cache dir, one file per project (stat-cache-format.ts), never in the project.
 */
export class StatCache {
  private dirty = false;
  /** entry number by path, and the hashes: built on first lookup or record (a no-op run needs neither) */
  private byPath?: Map<string, number>;
  private hashes: string[] = [];
  private constructor(
    private readonly file: string,
    private readonly root: string,
    /** undefined: forgotten (dropped at save) */
    private paths: (string | undefined)[],
    /** 4 per entry: size, mtimeMs, ctimeMs, ino; may hold spare room at the end */
    private stats: Float64Array,
    private readonly loadHashes: () => string[] | undefined,
    /** by command: one record each, so alternating sync and verify does not evict the other's */
    private unchanged: Record<string, StoredRun>,
  ) {}

  static load(cacheRoot: string, scopeRoot: string): StatCache {
    const file = path.join(cacheRoot, "stat", `${fnv1a64(scopeRoot)}.bin`);
    try {
      const r = tryReadRegularFile(file, { limit: READ_LIMITS.projectFile });
      // another project whose root hashes alike, another format, a damaged file: start empty
      const d = r.ok ? decodeStatCache(r.data, scopeRoot) : undefined;
      if (d) return new StatCache(file, scopeRoot, d.paths, d.stats, d.hashes, d.unchanged);
    } catch {
      // unreadable: start empty
    }
    return new StatCache(file, scopeRoot, [], new Float64Array(0), () => [], dict<StoredRun>());
  }

  private index(): Map<string, number> {
    if (this.byPath) return this.byPath;
    const hashes = this.loadHashes();
    if (!hashes) {
      // the hashes do not match the paths (a damaged file): start empty
      this.paths = [];
      this.unchanged = dict();
      this.dirty = true;
    }
    this.hashes = hashes ?? [];
    this.byPath = new Map();
    this.paths.forEach((rel, i) => rel !== undefined && this.byPath!.set(rel, i));
    return this.byPath;
  }

  private matches(i: number, st: Stats): boolean {
    const s = this.stats;
    return s[4 * i] === st.size && s[4 * i + 1] === st.mtimeMs && s[4 * i + 2] === st.ctimeMs && s[4 * i + 3] === st.ino;
  }

  lookup(rel: string, st: Stats): string | undefined {
    const i = this.index().get(rel);
    return i !== undefined && this.matches(i, st) ? this.hashes[i] : undefined;
  }

  record(rel: string, st: Stats, sha: string, now = Date.now()): void {
    const byPath = this.index();
    let i = byPath.get(rel);
    // a name or hash with a line break cannot be stored (real ones have none): it is simply not cached
    if (now - Math.max(st.mtimeMs, st.ctimeMs) < racyMs(st) || rel.includes("\n") || sha.includes("\n")) {
      if (i !== undefined) this.forget(i);
      return;
    }
    if (i !== undefined && this.matches(i, st) && this.hashes[i] === sha) return;
    if (i === undefined) {
      i = this.paths.length;
      this.paths.push(rel);
      byPath.set(rel, i);
      if (this.stats.length < 4 * this.paths.length) {
        const grown = new Float64Array(Math.max(64, 2 * this.stats.length));
        grown.set(this.stats);
        this.stats = grown;
      }
    }
    this.stats.set([st.size, st.mtimeMs, st.ctimeMs, st.ino], 4 * i);
    this.hashes[i] = sha;
    this.unchanged = dict(); // a file changed: no earlier run's outcome stands
    this.dirty = true;
  }

  private forget(i: number): void {
    this.byPath?.delete(this.paths[i]!);
    this.paths[i] = undefined;
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
    const files: string[] = [];
    for (const i of u.entries) {
      const rel = this.paths[i];
      const st = rel === undefined ? undefined : statOf(rel);
      if (!st || !this.matches(i, st)) return undefined;
      files.push(rel!);
    }
    return { inputs, files, counts: u.counts };
  }

  /** Remember that a run of `command` changed (or found) nothing; `files` must all have fresh entries. */
  rememberUnchanged(command: string, inputs: string, files: string[], counts: number[]): void {
    const byPath = this.index();
    const entries = files.map((rel) => byPath.get(rel));
    if (entries.includes(undefined)) return;
    const numbers = [...new Set(entries as number[])].sort((a, b) => a - b);
    const u = own(this.unchanged, command);
    const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (u && u.inputs === inputs && same(u.counts, counts) && same(u.entries, numbers)) return;
    this.unchanged[command] = { inputs, counts, entries: numbers };
    this.dirty = true;
  }

  /** Best effort: a cache that cannot be written only costs speed. */
  save(): void {
    if (!this.dirty) return;
    try {
      this.index();
      // entries sorted by path, renumbered; forgotten ones dropped
      const order = this.paths.flatMap((rel, i) => (rel === undefined ? [] : [i])).sort((a, b) => (this.paths[a]! < this.paths[b]! ? -1 : 1));
      const renumber = new Map(order.map((old, i) => [old, i]));
      const stats = new Float64Array(4 * order.length);
      order.forEach((old, i) => stats.set(this.stats.subarray(4 * old, 4 * old + 4), 4 * i));
      const unchanged = dict<StoredRun>();
      for (const [command, u] of Object.entries(this.unchanged)) unchanged[command] = { ...u, entries: u.entries.map((e) => renumber.get(e)!).sort((a, b) => a - b) };
      const bytes = encodeStatCache({ root: this.root, paths: order.map((i) => this.paths[i]!), stats, hashes: order.map((i) => this.hashes[i]!), unchanged });
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, this.file);
      rmSync(this.file.replace(/\.bin$/, ".json"), { force: true }); // the older format's file
      this.dirty = false;
    } catch {
      // read-only cache: fine
    }
  }
}
