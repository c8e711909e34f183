import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import type { FetchedFile, VersionInfo } from "./source.js";

export { MAX_AGENT_BYTES };

export function tooBig(registry: string, v: VersionInfo, size: number): AgentpkgError {
  return new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is ${size} bytes, over the ${MAX_AGENT_BYTES}-byte limit for agent files`);
}

/** Content must match the registry's sha256 before it is written anywhere. */
export function checkedFile(registry: string, v: VersionInfo, content: Buffer, commit: string | null): FetchedFile {
  if (content.length > MAX_AGENT_BYTES) throw tooBig(registry, v, content.length);
  const actual = sha256(content);
  if (v.sha256 && actual !== v.sha256) {
    throw new AgentpkgError("E_INTEGRITY", `${registry}: sha256 mismatch for ${v.path} (${v.version}): expected ${v.sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}…`, {
      hint: "the registry is corrupt or was tampered with; nothing was written",
    });
  }
  return { content, sha256: actual, commit };
}
