// One progress line on stderr for long work (a cold clone of a big registry, writing hundreds of files). Only
// on a terminal, never under --json or --quiet (realDeps and cli/root.ts decide; everything else gets
// NO_PROGRESS). Nothing is drawn for work that ends within DELAY_MS, so quick commands never flicker, and the
// line is erased before any other output and at the end.
import { terminalSafe } from "./terminal-text.js";

export interface Progress {
  /** the current state of the long work, e.g. `registry team: Receiving objects: 45% (450/1000)` */
  update(text: string): void;
  /** erase the line (the work is done, or other output is about to be written) */
  clear(): void;
}

export const NO_PROGRESS: Progress = { update: () => undefined, clear: () => undefined };

/** Work shorter than this shows no line at all. */
export const DELAY_MS = 300;
/** At most one redraw per this many milliseconds. */
const REDRAW_MS = 100;

export interface ProgressTerminal {
  write(text: string): void;
  columns(): number;
  now(): number;
  /** run `fn` once after `ms` without keeping the process alive */
  later(fn: () => void, ms: number): void;
  /** DELAY_MS unless set (AGENTPKG_PROGRESS_DELAY_MS: tests that watch the line) */
  delayMs?: number;
}

/** A progress line drawn with `\r` and erase-to-end-of-line on a terminal. */
export function terminalProgress(t: ProgressTerminal): Progress {
  let startedAt: number | undefined;
  let pending: string | undefined;
  let drawnAt = 0;
  let shown = false;
  let timer = false;
  const delay = t.delayMs ?? DELAY_MS;
  const draw = () => {
    if (pending === undefined) return;
    const width = Math.max(10, t.columns() - 1);
    const text = [...terminalSafe(pending.replace(/\s+/g, " ").trim())];
    t.write(`\r${text.length > width ? `${text.slice(0, width - 1).join("")}…` : text.join("")}\u001b[K`);
    shown = true;
    drawnAt = t.now();
  };
  return {
    update(text) {
      const now = t.now();
      startedAt ??= now;
      pending = text;
      if (now - startedAt < delay) {
        if (!timer) {
          timer = true;
          t.later(() => {
            timer = false;
            if (pending !== undefined && !shown) draw();
          }, delay - (now - startedAt));
        }
        return;
      }
      if (now - drawnAt >= REDRAW_MS) draw();
    },
    clear() {
      pending = undefined;
      startedAt = undefined;
      if (!shown) return;
      t.write("\r\u001b[K");
      shown = false;
    },
  };
}
