// The files of a sharded registry's index (sources/index/shard-path.ts), checked: everything in them is untrusted.
import type { AgentEntry } from "../source.js";
import { isPlainObject, parseJsonFile } from "../../util/json.js";
import { failer, parseAgentEntry } from "./registry-json.js";
import { SHARD_FORMAT, shardPath } from "../index/shard-path.js";

/** A shard holds one agent's entry: 1 MiB is thousands of versions. */
export const MAX_SHARD_BYTES = 1024 * 1024;
export const MAX_SHARD_CONFIG_BYTES = 64 * 1024;

const OID_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface ShardConfig {
  format: typeof SHARD_FORMAT;
  /** how many agents the registry holds (registry add and list report it) */
  agents: number;
}

/** index/config.json checked: what it says, or why it is not an index of this format (a one-line reason). */
export function checkShardConfig(text: string): ShardConfig | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  if (!isPlainObject(raw)) return "must be a JSON object";
  if (raw.format !== SHARD_FORMAT) return `has format ${JSON.stringify(raw.format)}; this agentpkg writes format ${SHARD_FORMAT}`;
  if (typeof raw.agents !== "number" || !Number.isSafeInteger(raw.agents) || raw.agents < 0) return `"agents" must be a count of agents`;
  return { format: SHARD_FORMAT, agents: raw.agents };
}

/**
 * index/config.json, when it is one this reader knows. Anything else (another format, not JSON, a bad
 * count) is undefined: the shards are ignored and registry.json is read, so a newer writer never breaks
 * this reader.
 */
export function parseShardConfig(text: string): ShardConfig | undefined {
  const config = checkShardConfig(text);
  return typeof config === "string" ? undefined : config;
}

/**
 * One agent's shard: its registry.json entry, checked exactly as there (parseAgentEntry), plus `name`,
 * which must be the name the file is kept under, and each version's optional `blob` (a git object id).
 */
export function parseShard(text: string, name: string, label: string): AgentEntry {
  const file = shardPath(name);
  const fail = failer(label, file);
  const raw = parseJsonFile(text, `${label} ${file}`, "E_REGISTRY_INVALID");
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  if (raw.name !== name) fail(`"name" is ${JSON.stringify(raw.name ?? null)}, not ${JSON.stringify(name)}, the agent the file is kept for`);
  const entry = parseAgentEntry(name, raw, label, file);
  for (const [version, v] of Object.entries(raw.versions as Record<string, Record<string, unknown>>)) {
    if (v.blob === undefined) continue;
    if (typeof v.blob !== "string" || !OID_RE.test(v.blob)) fail(`versions.${version}.blob must be a git object id (40 or 64 lowercase hex digits)`);
    entry.versions[version]!.blob = v.blob as string;
  }
  return entry;
}
