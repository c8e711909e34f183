import { createRequire } from "node:module";

/** A value computed on first use, then kept. */
export function lazy<T>(compute: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: compute() }).v;
}

/**
 * A Node builtin loaded on first use: node:crypto, node:child_process and node:tty (with node:net) each
 * cost milliseconds to load, which runs that never need them should not pay (DESIGN.md §7).
 */
export function builtin<T>(id: `node:${string}`): () => T {
  return lazy(() => createRequire(import.meta.url)(id) as T);
}
