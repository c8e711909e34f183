import { AgentpkgError } from "../util/errors.js";
import { dict, own } from "../util/json.js";
import { assertRegistryName } from "../util/names.js";
import { redactCredentials } from "../util/redact.js";
import type { Deps } from "../util/deps.js";
import type { Manifest } from "../project/manifest.js";
import { resolveScope } from "../project/scope.js";
import { readProjectFiles } from "../project/state.js";
import { parseRepoSpec, registryNameFor, type RepoSpec } from "../sources/repo-spec.js";
import { configuredRegistries, Registries, type RegistryRef } from "../sources/registries.js";
import { DEFAULT_REGISTRY } from "../sources/bundled/builtin-source.js";
import type { Source } from "../sources/source.js";
import type { Context } from "../change/context.js";
import type { ChangeResult } from "../change/result.js";
import { runInstall, type InstallOptions } from "./install.js";
import { headSigner, readSignersFile, recordedKind, withRegistry } from "./registry.js";

export interface RepoInstallOptions extends InstallOptions {
  /** the registry's name (default: the repository's) */
  as?: string;
  /** --allowed-signers FILE: as `registry add --allowed-signers` (the head must be signed by one of the keys) */
  allowedSigners?: string;
}

/** The registry an install from a repository used, and whether this run added it to the manifest. */
export interface RepoRegistry {
  name: string;
  url: string;
  type: Source["kind"];
  added: boolean;
  /** --allowed-signers: how many keys the registry now allows, and who signed its head */
  allowedSigners?: number;
  signer?: { fingerprint: string; principal?: string };
}

export type InstallArgsResult = ChangeResult & { registry?: RepoRegistry };

/**
 * install with its arguments as typed: a repository (URL[#NAME], github:OWNER/NAME, OWNER/NAME when OWNER
 * is no configured registry) is added as a registry and installed from in one run; anything else is
 * runInstall's.
 */
export async function runInstallArgs(o: RepoInstallOptions, deps: Deps): Promise<InstallArgsResult> {
  const scope = () => resolveScope({ cwd: deps.cwd, home: deps.home, global: o.global === true });
  const parsed = o.specs.map((s) => ({ raw: s, repo: parseRepoSpec(s, deps.cwd, deps.home) }));
  let manifest: Manifest | undefined;
  if (parsed.some((p) => p.repo?.shorthand)) {
    manifest = (await readProjectFiles(scope())).manifest;
    const names = new Set(configuredRegistries(manifest).map((r) => r.name));
    for (const p of parsed) if (p.repo?.shorthand && names.has(p.raw.split("/")[0]!)) p.repo = undefined; // REGISTRY/AGENT
  }
  const repos = parsed.filter((p) => p.repo);
  if (repos.length === 0) {
    if (o.as !== undefined) throw new AgentpkgError("E_USAGE", "--as names the registry of a repository: agentpkg install URL[#AGENT] --as NAME");
    if (o.allowedSigners !== undefined) {
      throw new AgentpkgError("E_USAGE", "install --allowed-signers goes with a repository: agentpkg install URL[#AGENT] --allowed-signers FILE", { hint: "for a configured registry: agentpkg registry add NAME URL --allowed-signers FILE" });
    }
    return runInstall(o, deps);
  }
  if (o.specs.length > 1) {
    throw new AgentpkgError("E_USAGE", `install a repository on its own: ${repos[0]!.raw} came with ${o.specs.length - 1} more argument${o.specs.length > 2 ? "s" : ""}`, {
      hint: "run one agentpkg install per repository (its registry then serves agentpkg install NAME/AGENT)",
    });
  }
  const repo = repos[0]!.repo!;
  manifest ??= (await readProjectFiles(scope())).manifest;
  const ref = registryFor(repo, manifest, o.as);
  const signers = o.allowedSigners === undefined ? undefined : await readSignersFile(o.allowedSigners, ref.url, deps);
  const probe = new Registries([ref], deps, { offline: o.offline === true, policy: "if-stale" });
  const source = await probe.get(ref.name);
  const signer = signers ? await headSigner(ref.name, source, signers, o.allowedSigners!, deps) : undefined;
  const pick = repo.pick !== undefined ? { spec: repo.pick, plugin: o.plugin === true } : await onlyPackage(source, repo, o);
  const type = source.kind;
  let added = false;
  const lines = signers?.map((s) => s.line);
  const result = await runInstall({ ...o, specs: [`${ref.name}/${pick.spec}`], plugin: pick.plugin, addRegistry: (c, m) => (added = addRegistry(c, m, ref, source, lines)) }, deps);
  const signed = signers ? { allowedSigners: signers.length, ...(signer ? { signer } : {}) } : {};
  return { ...result, registry: { name: ref.name, url: ref.url, type, added, ...signed } };
}

/** The registry a repository is installed through: the one that already has its url, else a new one. */
function registryFor(repo: RepoSpec, manifest: Manifest, as: string | undefined): RegistryRef {
  const configured = configuredRegistries(manifest);
  const same = configured.find((r) => r.url === repo.url && (as === undefined || r.name === as));
  if (same) return same;
  const name = as !== undefined ? assertRegistryName(as, "--as") : registryNameFor(repo.url);
  if (name === undefined || (as === undefined && name === DEFAULT_REGISTRY)) {
    throw new AgentpkgError("E_USAGE", `no registry name can be made from ${redactCredentials(repo.url)}`, { hint: `name it: agentpkg install ${repo.typed} --as NAME` });
  }
  const taken = own(manifest.registries, name);
  if (taken !== undefined && taken !== repo.url) {
    throw new AgentpkgError("E_USAGE", `registry ${name} already points at ${redactCredentials(taken)}`, { hint: `name this one: agentpkg install ${repo.typed}${repo.pick ? `#${repo.pick}` : ""} --as OTHER-NAME` });
  }
  const type = manifest.registryTypes?.[name];
  return type ? { name, url: repo.url, type } : { name, url: repo.url };
}

/**
 * The manifest gains the registry as `registry add` writes it (a registry.json registry as a plain url,
 * other kinds as { url, type }; allowed signers replace the registry's, so the change's signature check
 * covers what this run installs), and the run's registries the source already opened. Returns whether it
 * was new. Runs again when the project changed meanwhile, on the manifest read under the lock.
 */
function addRegistry(c: Context, m: Manifest, ref: RegistryRef, source: Source, signers: string[] | undefined): boolean {
  const taken = own(m.registries, ref.name);
  if (taken !== undefined && taken !== ref.url) throw new AgentpkgError("E_USAGE", `registry ${ref.name} already points at ${redactCredentials(taken)}`, { hint: "name this one with --as NAME" });
  const kind = recordedKind(source.kind);
  c.registries.add(taken === undefined ? { ...ref, ...(kind ? { type: kind } : {}) } : ref, source);
  for (const w of source.warnings ?? []) c.notes.push(w);
  if (taken === undefined) {
    Object.assign(m, withRegistry(m, ref.name, ref.url, source.kind, signers));
    return true;
  }
  if (signers) m.registrySigners = dict({ ...(m.registrySigners ?? {}), [ref.name]: signers });
  return false;
}

const MAX_LISTED = 30;

/**
 * A repository named without #NAME: its one agent, or (a marketplace, or with --plugin) its one plugin.
 * Several: a usage error listing a command per package to paste.
 */
async function onlyPackage(source: Source, repo: RepoSpec, o: RepoInstallOptions): Promise<{ spec: string; plugin: boolean }> {
  const plugins = (await source.listPlugins?.()) ?? [];
  const byPlugin = o.plugin === true || (source.kind === "marketplace" && plugins.length > 0);
  const names = byPlugin ? plugins.map((p) => p.name) : (await source.listAgents()).map((a) => a.name);
  const what = byPlugin ? "plugin" : "agent";
  if (names.length === 1) return { spec: names[0]!, plugin: byPlugin };
  if (names.length === 0) {
    throw new AgentpkgError("E_NOT_FOUND", `${repo.typed} has no ${what}s${source.warnings?.length ? ` (${source.warnings.length} skipped: see agentpkg registry add --dry-run)` : ""}`, {
      hint: byPlugin ? "install its agents by name: agentpkg install URL#AGENT" : "agents are Markdown files with name and description in their frontmatter",
    });
  }
  const as = o.as !== undefined ? ` --as ${o.as}` : "";
  const command = (n: string) => `agentpkg install ${repo.typed}#${n}${byPlugin ? " --plugin" : ""}${as}`;
  const sorted = [...names].sort();
  const shown = sorted.slice(0, MAX_LISTED).map(command);
  if (sorted.length > MAX_LISTED) shown.push(`… and ${sorted.length - MAX_LISTED} more (agentpkg search lists them once the repository is a registry)`);
  throw new AgentpkgError("E_USAGE", `${repo.typed} has ${names.length} ${what}s: name the one to install`, {
    details: shown,
    data: { [`${what}s`]: sorted },
  });
}
