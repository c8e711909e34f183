import { AgentpkgError } from "../util/errors.js";
import { dict, isPlainObject, own, parseJsonFile, sortedKeys } from "../util/json.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";
import { assertAgentName, assertRegistryName, isValidAgentName } from "../util/names.js";
import { classifyGitUrl } from "../git/run.js";
import { parseAllowedSignerLine } from "../git/allowed-signers.js";
import { validRange } from "../util/semver.js";

/** The kinds of git repository a manifest registry can be (docs/registries.md, "Kinds"). */
export type RegistryType = "registry" | "marketplace" | "plain";
export const REGISTRY_TYPES: readonly RegistryType[] = ["registry", "marketplace", "plain"];

/** What the team wants: a range per agent (or plugin), optionally pinned to one registry. */
export interface Dependency {
  range: string;
  registry?: string;
  /** plugins only: install just these parts (commands, skills or agents by name) */
  parts?: string[];
}

export interface Manifest {
  /** registries in lookup order (insertion order), name -> git url */
  registries: Record<string, string>;
  /** registries whose kind is fixed (object form `{ "url", "type" }`); others are detected from their content */
  registryTypes?: Record<string, RegistryType>;
  /**
   * Signed registries: the SSH keys (git's allowed-signers lines) one of which must have signed every commit
   * agentpkg installs from (object form `{ "url", "allowedSigners": [...] }`)
   */
  registrySigners?: Record<string, string[]>;
  agents: Record<string, Dependency>;
  /** whole plugins of marketplaces (or some of their parts), by name */
  plugins: Record<string, Dependency>;
  /** an editor's JSON schema url, kept as written */
  $schema?: string;
}

/** Every record of a manifest is keyed by names from outside, so none has a prototype (see dict). */
export function emptyManifest(): Manifest {
  return { registries: dict(), agents: dict(), plugins: dict() };
}

/** A copy whose records can be changed without touching `m` (still without prototypes: never `{ ...m.agents }`). */
export function cloneManifest(m: Manifest): Manifest {
  return {
    ...m,
    registries: dict(m.registries),
    ...(m.registryTypes ? { registryTypes: dict(m.registryTypes) } : {}),
    ...(m.registrySigners ? { registrySigners: dict(m.registrySigners) } : {}),
    agents: dict(m.agents),
    plugins: dict(m.plugins),
  };
}

const MANIFEST_KEYS = new Set(["$schema", "registries", "agents", "plugins"]);

export function parseManifest(text: string, file: string): Manifest {
  const raw = parseJsonFile(text, file, "E_MANIFEST_INVALID");
  const fail = (msg: string): never => {
    throw new AgentpkgError("E_MANIFEST_INVALID", `${file}: ${msg}`, { hint: `fix ${file} by hand, or remove the entry with agentpkg` });
  };
  if (!isPlainObject(raw)) return fail("must be a JSON object");
  for (const key of Object.keys(raw)) if (!MANIFEST_KEYS.has(key)) fail(`unknown field "${key}"`);
  const manifest = emptyManifest();
  if (raw.$schema !== undefined) {
    if (typeof raw.$schema !== "string") fail(`"$schema" must be a url string`);
    manifest.$schema = raw.$schema as string;
  }
  const regs = raw.registries ?? {};
  if (!isPlainObject(regs)) return fail(`"registries" must be an object of name -> git url`);
  for (const [name, value] of Object.entries(regs)) {
    let url = value;
    try {
      assertRegistryName(name, file);
      if (isPlainObject(value)) {
        for (const key of Object.keys(value)) if (key !== "url" && key !== "type" && key !== "allowedSigners") fail(`registries.${name}: unknown field "${key}"`);
        if (value.type !== undefined && !(REGISTRY_TYPES as readonly unknown[]).includes(value.type)) fail(`registries.${name}.type must be one of ${REGISTRY_TYPES.join(", ")}`);
        if (value.type !== undefined) (manifest.registryTypes ??= dict())[name] = value.type as RegistryType;
        if (value.allowedSigners !== undefined) (manifest.registrySigners ??= dict())[name] = parseSignerLines(value.allowedSigners, `registries.${name}.allowedSigners`, fail);
        url = value.url;
      }
      if (typeof url !== "string") fail(`registries.${name} must be a git url string or { "url": ..., "type": ..., "allowedSigners": [...] }`);
      classifyGitUrl(url as string);
    } catch (err) {
      if (err instanceof AgentpkgError && err.code !== "E_MANIFEST_INVALID") {
        // the url check's own hint says what to do (e.g. where credentials belong instead)
        throw new AgentpkgError("E_MANIFEST_INVALID", `${file}: registries.${name}: ${err.message}`, { hint: err.hint ?? `fix ${file} by hand` });
      }
      throw err;
    }
    manifest.registries[name] = url as string;
  }
  const agents = raw.agents ?? {};
  if (!isPlainObject(agents)) return fail(`"agents" must be an object of name -> version range`);
  for (const [name, spec] of Object.entries(agents)) {
    try {
      assertAgentName(name, file);
    } catch (err) {
      fail((err as Error).message);
    }
    manifest.agents[name] = parseDependency(spec, `agents.${name}`, fail);
  }
  const plugins = raw.plugins ?? {};
  if (!isPlainObject(plugins)) return fail(`"plugins" must be an object of name -> version range`);
  for (const [name, spec] of Object.entries(plugins)) {
    if (!isValidAgentName(name)) fail(`invalid plugin name ${JSON.stringify(name)}`);
    manifest.plugins[name] = parseDependency(spec, `plugins.${name}`, fail, true);
  }
  return manifest;
}

/** A signed registry's keys: a non-empty list of allowed-signers lines, each one key. */
function parseSignerLines(raw: unknown, where: string, fail: (m: string) => never): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((l) => typeof l === "string")) return fail(`${where} must be a list of allowed-signers lines ("principal ssh-ed25519 AAAA...")`);
  return (raw as string[]).map((line, i) => {
    const parsed = parseAllowedSignerLine(line);
    return typeof parsed === "string" ? fail(`${where}[${i}]: ${parsed}`) : parsed.line;
  });
}

function parseDependency(spec: unknown, where: string, fail: (m: string) => never, plugin = false): Dependency {
  if (typeof spec === "string") {
    if (!validRange(spec)) fail(`${where}: invalid version range "${spec}"`);
    return { range: spec };
  }
  if (!isPlainObject(spec)) return fail(`${where} must be a version range or { "version": ..., "registry": ... }`);
  for (const key of Object.keys(spec)) if (key !== "version" && key !== "registry" && !(plugin && key === "parts")) fail(`${where}: unknown field "${key}"`);
  if (typeof spec.version !== "string" || !validRange(spec.version)) fail(`${where}.version must be a valid version range`);
  if (spec.registry !== undefined && (typeof spec.registry !== "string" || spec.registry === "")) fail(`${where}.registry must be a registry name`);
  const dep: Dependency = { range: spec.version as string, registry: spec.registry as string | undefined };
  if (spec.parts !== undefined) {
    if (!Array.isArray(spec.parts) || spec.parts.length === 0 || !spec.parts.every((p) => typeof p === "string" && p !== "")) fail(`${where}.parts must be a list of part names`);
    dep.parts = [...new Set(spec.parts as string[])].sort();
  }
  return dep;
}

/** Manifest text: registries keep their order (it is the lookup order), agents are sorted. */
export function serializeManifest(m: Manifest): string {
  const entries = (deps: Record<string, Dependency>) => {
    const out = dict<unknown>();
    for (const name of sortedKeys(deps)) {
      const dep = deps[name]!;
      out[name] = dep.registry || dep.parts ? { ...(dep.parts ? { parts: dep.parts } : {}), ...(dep.registry ? { registry: dep.registry } : {}), version: dep.range } : dep.range;
    }
    return out;
  };
  const agents = entries(m.agents);
  const plugins = Object.keys(m.plugins).length ? { plugins: entries(m.plugins) } : {};
  const registries = dict<unknown>();
  for (const [name, url] of Object.entries(m.registries)) {
    const type = own(m.registryTypes, name);
    const signers = own(m.registrySigners, name);
    registries[name] = type || signers ? { url, ...(type ? { type } : {}), ...(signers ? { allowedSigners: signers } : {}) } : url;
  }
  return JSON.stringify({ ...(m.$schema !== undefined ? { $schema: m.$schema } : {}), registries, agents, ...plugins }, null, 2) + "\n";
}

/** The file's text, or undefined when there is none; `display` names it in errors (a device or pipe there is refused). */
export function readManifestText(file: string, display = file): string | undefined {
  try {
    return readRegularFileIfExists(file, { limit: READ_LIMITS.projectFile, display })?.toString("utf8");
  } catch (err) {
    if (err instanceof AgentpkgError) throw err;
    throw new AgentpkgError("E_MANIFEST_INVALID", `${display}: cannot read (${(err as Error).message})`, { cause: err });
  }
}
