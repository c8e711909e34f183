import { createHash } from "node:crypto";

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export const SHA256_RE = /^[0-9a-f]{64}$/;
