// Reading many git objects at once: one `git cat-file` process per batch, never one per object.
import { fstatSync } from "node:fs";
import { git, GitError, noGit, runGit, spawnGit } from "./run.js";

export interface GitObject {
  oid: string;
  type: string;
  data: Buffer;
}

/**
 * Many objects through one `git cat-file --batch`, in the order asked (undefined where git has none).
 * `names` are object ids or `<commit>:<path>`; git stops (and this fails) past `maxOutput` bytes.
 */
export async function readObjects(dir: string, names: readonly string[], env: NodeJS.ProcessEnv, o: { maxOutput?: number } = {}): Promise<(GitObject | undefined)[]> {
  if (names.length === 0) return [];
  const out = await runGit(["cat-file", "--batch"], { cwd: dir, env, input: names.join("\n") + "\n", maxOutput: o.maxOutput });
  const objects: (GitObject | undefined)[] = [];
  let pos = 0;
  while (pos < out.length && objects.length < names.length) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) break;
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(out.subarray(pos, nl).toString("utf8"));
    if (!m) {
      objects.push(undefined); // "<name> missing" (or ambiguous)
      pos = nl + 1;
      continue;
    }
    const size = Number(m[3]);
    objects.push({ oid: m[1]!, type: m[2]!, data: out.subarray(nl + 1, nl + 1 + size) });
    pos = nl + 1 + size + 1;
  }
  return objects;
}

/** An object as streamObjects hands it over: `data` is absent when the object is larger than asked for. */
export interface StreamedObject {
  oid: string;
  type: string;
  size: number;
  data?: Buffer;
}

/**
 * Many objects through one `git cat-file --batch`, handed to `each` one by one as git writes them, in the
 * order asked (undefined where git has none): memory holds one object at a time, so any number of objects
 * of any total size can be read. Objects over `maxObjectBytes` are passed without their data (never
 * buffered). With `reuse`, every object's data is a view of one buffer, valid only during its call (no
 * allocation per object: copy what must outlive it). An exception from `each` stops git and rejects.
 */
export function streamObjects(
  dir: string,
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  each: (index: number, obj: StreamedObject | undefined) => void,
  o: { maxObjectBytes?: number; reuse?: boolean } = {},
): Promise<void> {
  if (names.length === 0) return Promise.resolve();
  const max = o.maxObjectBytes ?? Infinity;
  let scratch = Buffer.alloc(0); // with `reuse`: every object's bytes, one after the other
  return new Promise((resolve, reject) => {
    // git's cache of delta bases defaults to 96 MiB; a small one measured as fast for a file's successive versions
    const child = spawnGit(["-c", "core.deltaBaseCacheLimit=8m", "cat-file", "--batch"], { cwd: dir, env });
    let index = 0;
    let head: Buffer[] = [];
    let current: StreamedObject | undefined;
    let body: Buffer[] = [];
    let filled = 0;
    let need = 0; // bytes of the current object still to come, its trailing newline included
    let failed: unknown;
    const err: Buffer[] = [];
    const emit = (obj: StreamedObject | undefined) => {
      try {
        each(index++, obj);
      } catch (e) {
        failed = e;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      let pos = 0;
      while (pos < chunk.length && failed === undefined) {
        if (need > 0) {
          const take = Math.min(need, chunk.length - pos);
          const obj = current!;
          if (obj.size <= max) {
            if (o.reuse) filled += chunk.copy(scratch, filled, pos, pos + take);
            else body.push(chunk.subarray(pos, pos + take));
          }
          need -= take;
          pos += take;
          if (need === 0) {
            if (obj.size <= max) obj.data = (o.reuse ? scratch : Buffer.concat(body)).subarray(0, obj.size);
            body = [];
            filled = 0;
            current = undefined;
            emit(obj);
          }
          continue;
        }
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0) {
          head.push(chunk.subarray(pos));
          break;
        }
        head.push(chunk.subarray(pos, nl));
        pos = nl + 1;
        const line = Buffer.concat(head).toString("utf8");
        head = [];
        const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(line);
        if (!m) {
          emit(undefined); // "<name> missing" (or ambiguous)
          continue;
        }
        current = { oid: m[1]!, type: m[2]!, size: Number(m[3]) };
        need = current.size + 1;
        if (o.reuse && current.size <= max && scratch.length < need) scratch = Buffer.allocUnsafe(need);
      }
    });
    child.stderr.on("data", (d: Buffer) => void err.push(d));
    child.stdin.on("error", () => undefined); // git stopped early: its exit code tells
    child.stdin.end(names.join("\n") + "\n");
    child.on("error", (e) => reject(noGit(e) ?? new GitError(["cat-file"], e.message, false, undefined)));
    child.on("close", (code) => {
      if (failed !== undefined) reject(failed);
      else if (code !== 0) reject(new GitError(["cat-file"], Buffer.concat(err).toString("utf8").trim(), false, code ?? undefined));
      else if (index < names.length) reject(new GitError(["cat-file"], `answered ${index} of ${names.length} objects`, false, code ?? undefined));
      else resolve();
    });
  });
}

/**
 * One blob whose size ls-tree gave, written by git straight to `fd` (an empty file the caller opened
 * for reading and writing): a 33 MB registry.json is then read from the file a window at a time instead
 * of arriving through a pipe as hundreds of chunks held until collected. More or fewer bytes than `size`
 * is an error.
 */
export async function blobToFile(dir: string, oid: string, size: number, env: NodeJS.ProcessEnv, fd: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawnGit(["cat-file", "blob", oid], { cwd: dir, env, stdout: fd });
    const err: Buffer[] = [];
    child.stderr!.on("data", (d: Buffer) => void err.push(d));
    child.on("error", (e) => reject(noGit(e) ?? new GitError(["cat-file"], e.message, false, undefined)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new GitError(["cat-file", "blob", oid], Buffer.concat(err).toString("utf8").trim(), false, code ?? undefined))));
  });
  if (fstatSync(fd).size !== size) throw new GitError(["cat-file", "blob", oid], `blob is not ${size} bytes`, false, undefined);
}

/** Contents of many blobs through one `git cat-file --batch`, keyed by object id; missing objects are left out. */
export async function readBlobs(dir: string, oids: Iterable<string>, env: NodeJS.ProcessEnv): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  // streamed, each blob its own small buffer: all of git's output collected, then copied whole, held two
  // copies of every blob at once (~20 MB at the peak of installing 5,000 agents)
  await streamObjects(dir, [...new Set(oids)], env, (_, o) => {
    if (o?.type === "blob" && o.data) blobs.set(o.oid, o.data);
  });
  return blobs;
}

/** Sizes of many objects through one `git cat-file --batch-check`; missing objects are left out. */
export async function objectSizes(dir: string, oids: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (oids.length === 0) return sizes;
  const out = await git(["cat-file", "--batch-check=%(objectname) %(objectsize)"], { cwd: dir, env, input: oids.join("\n") + "\n" });
  for (const line of out.split("\n")) {
    const m = /^([0-9a-f]+) (\d+)$/.exec(line);
    if (m) sizes.set(m[1]!, Number(m[2]));
  }
  return sizes;
}

/** Object ids of `<commit>:<path>` for many pairs in one `git cat-file --batch-check` (null when absent). */
export async function objectsAt(dir: string, queries: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, string | null>> {
  const result = new Map<string, string | null>();
  const usable = [...new Set(queries)].filter((q) => !q.includes("\n"));
  if (usable.length === 0) return result;
  const out = await git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], { cwd: dir, env, input: usable.join("\n") + "\n" });
  const lines = out.split("\n");
  usable.forEach((q, i) => {
    const m = /^([0-9a-f]+) blob$/.exec(lines[i] ?? "");
    result.set(q, m ? m[1]! : null);
  });
  return result;
}
