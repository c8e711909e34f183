import { createRequire } from "node:module";

type Crypto = typeof import("node:crypto");
let cryptoModule: Crypto | undefined;

/**
 * node:crypto, loaded on first use: it costs ~4 ms of start-up, and a run that finds every file unchanged
 * by its stat (verify, a no-op sync) never hashes anything (DESIGN.md §7).
 */
function crypto(): Crypto {
  return (cryptoModule ??= createRequire(import.meta.url)("node:crypto") as Crypto);
}

export function sha256(data: string | Buffer): string {
  return crypto().createHash("sha256").update(data).digest("hex");
}

/** 8 random hex digits, for temp file names (with the pid: unique across processes). */
export function randomHex(): string {
  return crypto().randomBytes(4).toString("hex");
}

export const SHA256_RE = /^[0-9a-f]{64}$/;
