// The new bytes a plan writes, without holding them: loaded in batches, checked, put in the content store
// as they arrive, and read back (verified again) when the plan is reviewed or applied. Installing 5,000
// agents from a lock held every file and a chain of async calls per file until apply (docs/performance.md).
import { AgentpkgError } from "../util/errors.js";
import { eachLimit } from "../util/each-limit.js";
import type { LockedFile, LockEntry } from "../project/lockfile.js";
import type { ContentStore } from "../store/cas.js";
import { sourceForEntry } from "../sources/registries.js";
import type { FileContents } from "../plan/plan.js";
import { knownPristine, loadPristine } from "./content.js";
import type { Context } from "./context.js";

/** Reads one at a time outside a source's batch (a plugin's files, a plain repository's): as many at once. */
const SINGLE_READS = 16;

/**
 * The pristine bytes of many locked files, as loadPristine gives them (checked against their sha256 and
 * stored), handed to `use` one by one and never all held. Those a git registry must give come out of one
 * batched read per registry and commit; the others (this run's, the store's) are read here, and what is
 * left (a plugin's files, other sources, a file a batch did not give) through loadPristine, a few at a
 * time. `use` is called once per entry, in no set order; an exception from it stops the loading.
 */
export async function eachPristine(ctx: Context, entries: readonly (LockEntry | LockedFile)[], use: (index: number, content: Buffer) => void): Promise<void> {
  const byRegistry = new Map<string, number[]>();
  const single: number[] = [];
  entries.forEach((e, i) => {
    const content = knownPristine(ctx, e);
    if (content) return use(i, content);
    if ("plugin" in e && e.plugin) return void single.push(i);
    const key = JSON.stringify([e.registry, e.url]);
    const same = byRegistry.get(key);
    if (same) same.push(i);
    else byRegistry.set(key, [i]);
  });
  await Promise.all(
    [...byRegistry.values()].map(async (batch) => {
      const source = await sourceForEntry(ctx.registries, entries[batch[0]!]!).catch(() => undefined);
      if (!source?.readVersions) return void single.push(...batch);
      const items = batch.map((i) => ({ v: { version: entries[i]!.version, path: entries[i]!.path, sha256: entries[i]!.sha256 }, commit: entries[i]!.commit }));
      const given = new Uint8Array(batch.length);
      await source.readVersions(items, (j, file) => {
        if (given[j]) return;
        given[j] = 1;
        ctx.store.putSync(file.content);
        use(batch[j]!, file.content);
      });
      // what the batch did not give: read one by one, for the ways round and the precise errors
      single.push(...batch.filter((_, j) => !given[j]));
    }),
  );
  await eachLimit(single.sort((a, b) => a - b), SINGLE_READS, async (i) => use(i, await loadPristine(ctx, entries[i]!)));
}

/**
 * The bytes a plan writes, by file: only their sha256 is held, and the bytes are read back from the
 * content store when used, verified again (a store file changed meanwhile is never written anywhere).
 */
export class StoredContents implements FileContents {
  private readonly shas = new Map<string, string>();

  constructor(private readonly store: ContentStore) {}

  /** `file` gets the bytes of this sha256, which the store holds. */
  set(file: string, sha256: string): void {
    this.shas.set(file, sha256);
  }

  has(file: string): boolean {
    return this.shas.has(file);
  }

  get(file: string): Buffer | undefined {
    const sha = this.shas.get(file);
    if (sha === undefined) return undefined;
    const content = this.store.getSync(sha);
    if (content) return content;
    throw new AgentpkgError("E_IO", `the content store lost the new bytes of ${file} (sha256 ${sha.slice(0, 12)}…) while agentpkg was working; nothing was changed`, {
      hint: "re-run the command (something removed or changed files in agentpkg's cache meanwhile)",
    });
  }
}
