import { builtin } from "./lazy.js";

/** ~4 ms to load, and a run that finds every file unchanged by its stat (verify, a no-op sync) hashes nothing. */
const crypto = builtin<typeof import("node:crypto")>("node:crypto");

export function sha256(data: string | Buffer): string {
  return crypto().createHash("sha256").update(data).digest("hex");
}

/** 8 random hex digits, for temp file names (with the pid: unique across processes). */
export function randomHex(): string {
  return crypto().randomBytes(4).toString("hex");
}

export const SHA256_RE = /^[0-9a-f]{64}$/;
