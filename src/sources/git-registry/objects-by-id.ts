// Objects of a treeless mirror read by id: one `cat-file --batch` for those present, and one fetch by id
// for those missing (then one more read), never git's on-demand fetch of each.
import { streamObjects, type StreamedObject } from "../../git/objects.js";
import { offlineGitEnv, type Mirror } from "../../store/git-mirrors.js";
import { missingObjects } from "../../store/fetch-by-id.js";
import { presentObjects } from "../../store/treeless.js";

/** The objects among `oids` the mirror holds, each with its data unless over `maxBytes` (never fetches). */
async function presentData(dir: string, oids: readonly string[], env: NodeJS.ProcessEnv, maxBytes: number): Promise<Map<string, StreamedObject>> {
  const out = new Map<string, StreamedObject>();
  await streamObjects(dir, oids, offlineGitEnv(env), (i, o) => void (o && out.set(oids[i]!, o)), { maxObjectBytes: maxBytes });
  return out;
}

/**
 * The objects `oids`, those the mirror lacks fetched first in one fetch; with --offline a missing one is
 * E_OFFLINE. Objects over `maxBytes` come without data.
 */
export async function readById(
  mirror: Mirror,
  oids: readonly string[],
  o: { env: NodeJS.ProcessEnv; offline: boolean; maxBytes: number },
): Promise<Map<string, StreamedObject>> {
  const wanted = [...new Set(oids)];
  // git may fail the whole read on a missing object (its on-demand fetch refused): then find which first
  const got = await presentData(mirror.dir, wanted, o.env, o.maxBytes).catch(async () => {
    const missing = new Set(await missingObjects(mirror.dir, wanted, o.env));
    return presentData(mirror.dir, wanted.filter((oid) => !missing.has(oid)), o.env, o.maxBytes);
  });
  const missing = wanted.filter((oid) => !got.has(oid));
  if (missing.length === 0) return got;
  await presentObjects(mirror, missing, o.env, o.offline);
  for (const [oid, obj] of await presentData(mirror.dir, missing, o.env, o.maxBytes)) got.set(oid, obj);
  return got;
}

/**
 * Version files by their id (a sharded registry's `blob`), batched: the reads asked for in the same tick
 * share one read and at most one fetch. Rejects when the id is not a blob within `maxBytes`.
 */
export class BlobsById {
  private queue: { oid: string; resolve(data: Buffer): void; reject(err: unknown): void }[] = [];

  constructor(
    private readonly mirror: Mirror,
    private readonly env: NodeJS.ProcessEnv,
    private readonly offline: boolean,
    private readonly maxBytes: number,
  ) {}

  read(oid: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ oid, resolve, reject }) === 1) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue.splice(0);
    try {
      const got = await readById(this.mirror, batch.map((r) => r.oid), { env: this.env, offline: this.offline, maxBytes: this.maxBytes });
      for (const r of batch) {
        const o = got.get(r.oid);
        if (o?.type === "blob" && o.data) r.resolve(o.data);
        else r.reject(new Error(`object ${r.oid} is not a blob of at most ${this.maxBytes} bytes`));
      }
    } catch (err) {
      for (const r of batch) r.reject(err);
    }
  }
}
