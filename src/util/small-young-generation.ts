// Building a large registry's index allocates millions of short-lived objects (an entry parsed, checked
// and written per agent). V8 then grows its young generation towards 3 x 16 MB, which is most of the
// peak RSS of `registry add` of 100,000 agents. Keeping it at its initial size (no growth while `work`
// runs) took that peak from 126 MB to ~95 MB at the same speed (measured; docs/performance.md).
// A change of thousands of files also runs with V8's --optimize-for-size: the old generation then grows
// by 2 MB steps instead of 8 and by a smaller factor over what is live (installing 5,000 agents from a
// lock: ~5 MB less at the peak, same speed).
// The flags are V8's and process-wide: they are read each time the heap would grow.
import { builtin } from "./lazy.js";

/** loaded on first use (the bundle runs as a script: no dynamic import()) */
const v8 = builtin<typeof import("node:v8")>("node:v8");

/** V8's default growth factor of the young generation (Node 20). */
const DEFAULT_GROWTH = 2;

/** Whether the heap's old generation should also grow as little as it can (a change, its printing). */
export interface HeapOptions {
  optimizeForSize?: boolean;
}

/** How many callers are inside withSmallYoungGeneration (an index built inside a change keeps it small). */
let depth = 0;
/** How many of them asked for optimizeForSize. */
let sizeDepth = 0;

export async function withSmallYoungGeneration<T>(work: () => Promise<T>, o: HeapOptions = {}): Promise<T> {
  enter(o);
  try {
    return await work();
  } finally {
    leave(o);
  }
}

/** The same around synchronous work (printing the thousands of lines of a large change). */
export function withSmallYoungGenerationSync<T>(work: () => T, o: HeapOptions = {}): T {
  enter(o);
  try {
    return work();
  } finally {
    leave(o);
  }
}

function enter(o: HeapOptions): void {
  if (depth++ === 0) v8().setFlagsFromString("--semi-space-growth-factor=1");
  if (o.optimizeForSize && sizeDepth++ === 0) v8().setFlagsFromString("--optimize-for-size");
}

function leave(o: HeapOptions): void {
  if (--depth === 0) v8().setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
  if (o.optimizeForSize && --sizeDepth === 0) {
    v8().setFlagsFromString("--no-optimize-for-size");
    // V8 also set --max-semi-space-size=1 for it (an implication it does not undo); its default (0: sized by
    // V8) goes back, or the flags would differ from the start's and V8 would refuse the launcher's code
    // cache on every later run (the flags are part of its version tag). The heap was sized at the start:
    // neither value changes it now.
    v8().setFlagsFromString("--max-semi-space-size=0");
  }
}
