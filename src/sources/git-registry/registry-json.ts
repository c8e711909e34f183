import { semver } from "../../util/semver.js";
import { AgentpkgError } from "../../util/errors.js";
import { dict, isPlainObject, parseJsonFile } from "../../util/json.js";
import { isValidAgentName } from "../../util/names.js";
import { SHA256_RE } from "../../util/hash.js";
import { isSafeRegistryPath } from "../../util/safe-path.js";
import type { AgentEntry, VersionInfo } from "../source.js";

export interface RegistryIndex {
  name: string;
  description?: string;
  agents: Record<string, AgentEntry>;
}

/** Parse and check registry.json (DESIGN.md §3); every problem names the registry and the field. */
export function parseRegistryJson(text: string, label: string): RegistryIndex {
  const top = registryTop(parseJsonFile(text, `${label} registry.json`, "E_REGISTRY_INVALID"), label);
  const agents = dict<AgentEntry>();
  for (const [name, a] of Object.entries(top.agents)) agents[name] = parseAgentEntry(name, a, label);
  return { name: top.name, description: top.description, agents };
}

/** Throws E_REGISTRY_INVALID naming the registry's registry.json (or `file`, a sharded registry's shard). */
export function failer(label: string, file = "registry.json"): (msg: string) => never {
  return (msg) => {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${label} ${file}: ${msg}`, {
      hint: `the registry's maintainers must fix ${file} (agentpkg never guesses)`,
    });
  };
}

/** The top level of a parsed registry.json, checked, with every agent name checked; the entries not yet. */
export function registryTop(raw: unknown, label: string): { name: string; description?: string; agents: Record<string, unknown> } {
  const fail = failer(label);
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  if (raw.registryVersion !== undefined && raw.registryVersion !== 1) fail(`registryVersion ${JSON.stringify(raw.registryVersion)} is not supported`);
  if (!isPlainObject(raw.agents)) return fail(`"agents" must be an object`);
  for (const name of Object.keys(raw.agents)) if (!isValidAgentName(name)) fail(`invalid agent name ${JSON.stringify(name)}`);
  return {
    name: typeof raw.name === "string" ? raw.name : label,
    description: typeof raw.description === "string" ? raw.description : undefined,
    agents: raw.agents,
  };
}

/** One agent's entry of registry.json (or of its shard, `file`), checked. */
export function parseAgentEntry(name: string, a: unknown, label: string, file?: string): AgentEntry {
  const fail = failer(label, file);
  if (!isPlainObject(a)) return fail(`agents.${name} must be an object`);
  if (!isPlainObject(a.versions)) return fail(`agents.${name}.versions must be an object`);
  const versions = dict<VersionInfo>();
  for (const [version, v] of Object.entries(a.versions)) {
    const where = `agents.${name}.versions.${version}`;
    if (!semver.valid(version) || semver.clean(version) !== version) fail(`${where}: "${version}" is not a semver version`);
    if (!isPlainObject(v)) return fail(`${where} must be an object`);
    if (typeof v.path !== "string" || !isSafeRegistryPath(v.path)) fail(`${where}.path must be a relative path inside the registry`);
    if (typeof v.sha256 !== "string" || !SHA256_RE.test(v.sha256)) fail(`${where}.sha256 must be a lowercase hex sha256`);
    if (v.yanked !== undefined && v.yanked !== null && typeof v.yanked !== "string" && typeof v.yanked !== "boolean") fail(`${where}.yanked must be a reason string`);
    const yanked = v.yanked === true ? "yanked" : typeof v.yanked === "string" ? v.yanked || "yanked" : null;
    versions[version] = {
      version,
      path: v.path as string,
      sha256: v.sha256 as string,
      yanked,
      changelog: typeof v.changelog === "string" ? v.changelog : undefined,
    };
  }
  const tags = dict<string>();
  if (a.tags !== undefined) {
    if (!isPlainObject(a.tags)) return fail(`agents.${name}.tags must be an object`);
    for (const [tag, version] of Object.entries(a.tags)) {
      if (typeof version !== "string" || !Object.hasOwn(versions, version)) fail(`agents.${name}.tags.${tag} points at unknown version ${JSON.stringify(version)}`);
      tags[tag] = version as string;
    }
  }
  return {
    name,
    description: typeof a.description === "string" ? a.description : undefined,
    versions,
    tags,
    deprecated: typeof a.deprecated === "string" ? a.deprecated : null,
  };
}
