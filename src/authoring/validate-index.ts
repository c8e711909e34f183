// `agentpkg validate` in a sharded registry: does the index (index/config.json, index/<aa>/<name>.json)
// say what registry.json and the committed files say? One problem per disagreement, naming the file.
import fs from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { isPlainObject, stableJson } from "../util/json.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import type { AgentProblem } from "../agent/problem.js";
import { gitBlobId, objectFormat } from "../git/blob-id.js";
import { SHARD_CONFIG, shardPath } from "../sources/index/shard-path.js";
import { existingShards } from "./registry-index.js";
import { withRegistryJsonFile, type RegistryJsonFile } from "./registry-json-file.js";
import { committedBlobs, parseIndexConfig, readIndexFile, versionPaths } from "./registry-shards.js";
import { MAX_SHARD_BYTES } from "../sources/git-registry/shard-json.js";

export interface IndexProblem {
  /** relative to the registry's folder */
  file: string;
  problem: AgentProblem;
}

export interface IndexCheck {
  /** the registry's folder */
  dir: string;
  /** shards read */
  shards: number;
  problems: IndexProblem[];
}

const FIX = "; run agentpkg registry index";

/** A registry folder with an index: registry.json and index/config.json at its root. */
export function isShardedRegistry(dir: string): boolean {
  return fs.existsSync(path.join(dir, "registry.json")) && fs.existsSync(path.join(dir, SHARD_CONFIG));
}

/** Top-level fields (and `versions.<v>`) where a shard, without name and blobs, differs from the entry. */
function differences(shard: Record<string, unknown>, entry: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(entry), ...Object.keys(shard)])) {
    if (k === "name") continue;
    const a = shard[k];
    const b = entry[k];
    if (k === "versions" && isPlainObject(a) && isPlainObject(b)) {
      for (const v of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const sv = isPlainObject(a[v]) ? Object.fromEntries(Object.entries(a[v]).filter(([f]) => f !== "blob")) : a[v];
        if (stableJson(sv) !== stableJson(b[v])) out.push(`versions.${v}`);
      }
    } else if (stableJson(a) !== stableJson(b)) out.push(k);
  }
  return out;
}

/** The id git has for a version file: as committed at HEAD, else as the file on disk would be stored. */
function blobLookup(dir: string, committed: Map<string, string>, format: "sha1" | "sha256"): (p: string) => string | undefined {
  return (p) => {
    const id = committed.get(p);
    if (id) return id;
    const r = tryReadRegularFile(path.join(dir, ...p.split("/")), { limit: MAX_AGENT_BYTES, noFollow: true });
    return r.ok ? gitBlobId(r.data, format) : undefined;
  };
}

export async function checkRegistryIndex(dir: string, env: NodeJS.ProcessEnv): Promise<IndexCheck> {
  const problems: IndexProblem[] = [];
  const report = (file: string, code: string, message: string) => problems.push({ file, problem: { severity: "error", code, message } });
  const check: IndexCheck = { dir, shards: 0, problems };
  const config = parseIndexConfig(readIndexFile(dir, dir, SHARD_CONFIG)?.toString("utf8") ?? "");
  if (typeof config === "string" && config.startsWith("has format")) {
    // a newer agentpkg's index: not wrong, only not this one's to check
    problems.push({ file: SHARD_CONFIG, problem: { severity: "warning", code: "index-format", message: `${config}, so it cannot check this index (upgrade agentpkg)` } });
    return check;
  }
  if (typeof config === "string") {
    report(SHARD_CONFIG, "index-config", `${config}; readers ignore the shards and read registry.json${FIX}`);
    return check;
  }
  // registry.json is scanned and checked, then read an entry at a time (a registry of 100,000 agents is
  // never held as objects); one that is not valid is reported, not thrown
  let opened = false;
  try {
    return await withRegistryJsonFile({ dir, label: "the registry", remote: null }, async (reg) => {
      opened = true;
      await checkShards(dir, env, reg, config.agents, report, check);
      return check;
    });
  } catch (err) {
    if (opened || !(err instanceof AgentpkgError)) throw err;
    report("registry.json", "registry-invalid", `${err.message}; the index cannot be checked against it`);
    return check;
  }
}

async function checkShards(
  dir: string,
  env: NodeJS.ProcessEnv,
  reg: RegistryJsonFile,
  configured: number,
  report: (file: string, code: string, message: string) => void,
  check: IndexCheck,
): Promise<void> {
  if (configured !== reg.count) report(SHARD_CONFIG, "index-count", `says ${configured} agents, registry.json has ${reg.count}${FIX}`);
  const paths: string[] = [];
  for (const { entry } of reg.entries()) paths.push(...versionPaths(entry));
  // a folder that is no git repository (an unpacked archive) has nothing committed: files on disk only
  const committed = await committedBlobs(dir, env, paths).catch(() => new Map<string, string>());
  const blobOf = blobLookup(dir, committed, await objectFormat(dir, env));
  for (const { name, entry } of reg.entries()) {
    const file = shardPath(name);
    const read = tryReadRegularFile(path.join(dir, ...file.split("/")), { limit: MAX_SHARD_BYTES, noFollow: true });
    if (!read.ok && read.kind === "missing") {
      report(file, "shard-missing", `no shard for agent ${name} of registry.json; installs from the index cannot find it${FIX}`);
      continue;
    }
    if (!read.ok) {
      const why = read.kind === "too-large" ? `is over the ${MAX_SHARD_BYTES} bytes readers accept` : "is not a regular file (readers refuse it)";
      report(file, "shard-invalid", `${why}; installs from the index cannot read ${name}`);
      continue;
    }
    const buf = read.data;
    check.shards++;
    let shard: unknown;
    try {
      shard = JSON.parse(buf.toString("utf8"));
    } catch {
      shard = undefined;
    }
    if (!isPlainObject(shard)) {
      report(file, "shard-invalid", `is not a JSON object${FIX}`);
      continue;
    }
    if (shard.name !== name) report(file, "shard-name", `"name" is ${JSON.stringify(shard.name)}, but this is the shard of ${name}${FIX}`);
    const diff = differences(shard, entry);
    if (diff.length) report(file, "shard-differs", `disagrees with registry.json's entry for ${name} (${diff.join(", ")})${FIX}`);
    for (const [v, info] of Object.entries(isPlainObject(shard.versions) ? shard.versions : {})) {
      if (!isPlainObject(info) || info.blob === undefined) continue;
      const where = typeof info.path === "string" ? info.path : "";
      const actual = where ? blobOf(where) : undefined;
      if (info.blob === actual) continue;
      const said = typeof info.blob === "string" ? info.blob : JSON.stringify(info.blob);
      report(file, "shard-blob", actual ? `versions.${v}.blob is ${said}, but ${where} is ${actual} in git${FIX}` : `versions.${v}.blob is ${said}, but ${where || "its path"} is neither committed nor on disk`);
    }
  }
  for (const file of await existingShards(dir)) {
    const name = file.slice(file.lastIndexOf("/") + 1, -".json".length);
    if (!reg.has(name) || shardPath(name) !== file) report(file, "shard-extra", `a shard of an agent registry.json does not have${FIX} (it removes it)`);
  }
}
