import path from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { dict, isPlainObject } from "../util/json.js";
import { sha256 } from "../util/hash.js";
import { tryReadRegularFile } from "../util/safe-read.js";

/**
 * Commits already found signed by one of a list of allowed keys (`<cache>/signatures/<hash of the list>.json`,
 * commit -> the signing key's fingerprint), so a warm `install` of a signed project runs no ssh-keygen for
 * commits it checked before. Only good results are kept: a commit and its signature never change, and the
 * list's lines (with their valid-after/valid-before) name the file. `verify --signatures` never reads it.
 */
export class SignatureCache {
  private added = false;
  private constructor(
    private readonly file: string,
    private readonly good: Record<string, string>,
  ) {}

  static open(cache: string, lines: readonly string[]): SignatureCache {
    const file = path.join(cache, "signatures", `${sha256(lines.join("\n")).slice(0, 32)}.json`);
    const good = dict<string>();
    try {
      const r = tryReadRegularFile(file, { limit: 16 * 1024 * 1024 });
      const raw: unknown = r.ok ? JSON.parse(r.data.toString("utf8")) : undefined;
      if (isPlainObject(raw)) for (const [c, f] of Object.entries(raw)) if (/^[0-9a-f]{7,64}$/.test(c) && typeof f === "string") good[c] = f;
    } catch {
      // unreadable or damaged: the commits are checked again
    }
    return new SignatureCache(file, good);
  }

  signer(commit: string): string | undefined {
    return Object.hasOwn(this.good, commit) ? this.good[commit] : undefined;
  }

  remember(commit: string, fingerprint: string): void {
    if (this.good[commit] === fingerprint) return;
    this.good[commit] = fingerprint;
    this.added = true;
  }

  /** A cache that cannot be written only costs speed next time. */
  async save(): Promise<void> {
    if (this.added) await writeFileAtomic(this.file, JSON.stringify(this.good)).catch(() => undefined);
  }
}
