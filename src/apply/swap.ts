// Putting staged files in place so that an I/O error halfway (an immutable file, a full disk, a folder in
// the way) can be undone: every replaced or deleted file keeps its old bytes under a second name until the
// whole change is in place. Crashes are the journal's job (journal.ts); this covers errors we live through.
import { copyFileSync, constants, linkSync, lstatSync, renameSync, unlinkSync } from "node:fs";
import { tempPathFor } from "../util/atomic.js";

/** The file system calls a swap makes (tests inject failures). */
export interface SwapFs {
  link(from: string, to: string): void;
  copy(from: string, to: string): void;
  rename(from: string, to: string): void;
  rm(file: string): void;
  exists(file: string): boolean;
}

export const realSwapFs: SwapFs = {
  link: (from, to) => linkSync(from, to),
  copy: (from, to) => copyFileSync(from, to, constants.COPYFILE_EXCL),
  rename: (from, to) => renameSync(from, to),
  // unlink, not rmSync: after EPERM, rmSync tries rmdir and reports ENOTDIR instead
  rm: (file) => {
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  },
  exists: (file) => {
    try {
      return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  },
};

interface Done {
  target: string;
  /** where the old content waits (null: there was no file) */
  aside: string | null;
}

/** A swap that failed: the file, and the error. */
export class SwapError extends Error {
  constructor(
    readonly file: string,
    readonly error: unknown,
  ) {
    super(`${file}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/**
 * Swaps made so far, in order. `put` replaces (or deletes) one file, keeping the old one aside (a hard link:
 * no bytes copied, and the target is never absent; a copy where links are not supported); `rollback` gives
 * every file its old content back, newest first; `commit` drops the old copies.
 */
export class FileSwaps {
  private readonly done: Done[] = [];

  constructor(private readonly fsx: SwapFs = realSwapFs) {}

  /** Put `tmp` in place of `target` (null: delete `target`). Throws a SwapError naming `target`; nothing of this swap stays done. */
  put(target: string, tmp: string | null): void {
    let aside: string | null = null;
    try {
      if (this.fsx.exists(target)) {
        aside = tempPathFor(target);
        try {
          this.fsx.link(target, aside);
        } catch {
          this.fsx.copy(target, aside);
        }
      }
      if (tmp !== null) this.fsx.rename(tmp, target);
      else if (aside !== null) this.fsx.rm(target);
      else return; // deleting a file that is not there
    } catch (err) {
      if (aside !== null) this.tryRm(aside);
      throw new SwapError(target, err);
    }
    this.done.push({ target, aside });
  }

  /** Undo every swap, newest first. Returns the files that could not be given their old content back. */
  rollback(): string[] {
    const stuck: string[] = [];
    for (const d of this.done.splice(0).reverse()) {
      try {
        if (d.aside !== null) this.fsx.rename(d.aside, d.target);
        else this.fsx.rm(d.target);
      } catch {
        stuck.push(d.target);
      }
    }
    return stuck;
  }

  /** Keep every swap: drop the old copies. */
  commit(): void {
    for (const d of this.done.splice(0)) if (d.aside !== null) this.tryRm(d.aside);
  }

  private tryRm(file: string): void {
    try {
      this.fsx.rm(file);
    } catch {
      // a leftover old copy carries our pid: a later run removes it once we are gone
    }
  }
}
