import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { sha256 } from "../util/hash.js";
import { writeFileAtomic } from "../util/atomic.js";
import { parseRegistryJson } from "../sources/git-registry/registry-json.js";
import { readRegistryFile, readRegistryJsonOnDisk } from "../sources/read-checks.js";
import { deterministicTgz, type ArchiveFile } from "../archive/tar-write.js";

export const DEFAULT_REGISTRY_ARCHIVE = "registry.tgz";

export interface RegistryPackOptions {
  /** the registry repo's working tree */
  dir: string;
  output?: string;
}

export interface RegistryPackResult {
  file: string;
  bytes: number;
  sha256: string;
  agents: number;
  versions: number;
}

/**
 * registry pack DIR: a deterministic .tgz of a registry's working tree: registry.json and every version
 * file it lists (each checked against its sha256; symlinks and oversized files refused). Nothing else
 * in the tree goes in, so the same registry.json and files always give the same bytes.
 */
export async function runRegistryPack(o: RegistryPackOptions, deps: Deps): Promise<RegistryPackResult> {
  const root = path.resolve(deps.cwd, o.dir);
  const label = o.dir;
  const indexBytes = readRegistryJsonOnDisk(label, root);
  if (indexBytes === undefined) throw new AgentpkgError("E_NOT_FOUND", `${label} has no registry.json`, { hint: "point at the working tree of a registry repository" });
  const index = parseRegistryJson(indexBytes.toString("utf8"), label);
  const files = new Map<string, ArchiveFile>([["registry.json", { path: "registry.json", data: indexBytes }]]);
  let versions = 0;
  for (const agent of Object.values(index.agents)) {
    for (const v of Object.values(agent.versions)) {
      versions++;
      if (files.has(v.path)) continue;
      const fetched = await readRegistryFile(root, label, v, null, () => new AgentpkgError("E_REGISTRY_INVALID", `${label}: ${v.path} (${agent.name}@${v.version}) is listed in registry.json but missing`));
      files.set(v.path, { path: v.path, data: fetched.content });
    }
  }
  const bytes = deterministicTgz([...files.values()]);
  const file = path.resolve(deps.cwd, o.output ?? DEFAULT_REGISTRY_ARCHIVE);
  await writeFileAtomic(file, bytes);
  return { file, bytes: bytes.length, sha256: sha256(bytes), agents: Object.keys(index.agents).length, versions };
}
