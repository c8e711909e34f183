// Building a large registry's index allocates millions of short-lived objects (an entry parsed, checked
// and written per agent). V8 then grows its young generation towards 3 x 16 MB, which is most of the
// peak RSS of `registry add` of 100,000 agents. Keeping it at its initial size (no growth while `work`
// runs) took that peak from 126 MB to ~95 MB at the same speed (measured; docs/performance.md).
// The flag is V8's and process-wide: it is read each time the young generation would grow.
import { builtin } from "./lazy.js";

/** loaded on first use (the bundle runs as a script: no dynamic import()) */
const v8 = builtin<typeof import("node:v8")>("node:v8");

/** V8's default growth factor of the young generation (Node 20). */
const DEFAULT_GROWTH = 2;

/** How many callers are inside withSmallYoungGeneration (an index built inside a change keeps it small). */
let depth = 0;

export async function withSmallYoungGeneration<T>(work: () => Promise<T>): Promise<T> {
  enter();
  try {
    return await work();
  } finally {
    leave();
  }
}

/** The same around synchronous work (printing the thousands of lines of a large change). */
export function withSmallYoungGenerationSync<T>(work: () => T): T {
  enter();
  try {
    return work();
  } finally {
    leave();
  }
}

function enter(): void {
  if (depth++ === 0) v8().setFlagsFromString("--semi-space-growth-factor=1");
}

function leave(): void {
  if (--depth === 0) v8().setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
}
