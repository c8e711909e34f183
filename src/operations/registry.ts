import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { classifyGitUrl, normalizeGitUrl } from "../git/run.js";
import { assertRegistryName } from "../util/names.js";
import { writeFileAtomic } from "../util/atomic.js";
import { serializeManifest, type Manifest } from "../project/manifest.js";
import { configuredRegistries, declaredKind, Registries } from "../sources/registries.js";
import { BUILTIN_URL } from "../sources/bundled/builtin-source.js";
import { readProjectFiles } from "../project/state.js";
import { displayPath, tildePath } from "../project/scope.js";
import { openContext, type CommonOptions, type Context } from "../change/context.js";
import { withProjectLock } from "../apply/project-lock.js";
import { dict, own } from "../util/json.js";
import path from "node:path";
import { readRegularFileIfExists } from "../util/safe-read.js";
import { parseAllowedSigners, type AllowedSigner } from "../git/allowed-signers.js";
import { readCommitSignatures } from "../git/commit-signatures.js";
import { isTarballUrl } from "../sources/tarball/tarball-url.js";
import { signatureProblem } from "../sources/signed-packages.js";
import type { Source } from "../sources/source.js";

export interface RegistryInfo {
  name: string;
  url: string;
  agents?: number;
  commit?: string | null;
  /** registry, marketplace or plain (registry add) */
  type?: string;
  /** what the registry skipped while listing (registry add) */
  warnings?: string[];
  /** a marketplace's plugins, and their parts by kind (agent, command, skill, hook, mcp, output-style) */
  plugins?: number;
  parts?: Record<string, number>;
  /** of those plugins, how many live in other repositories (their parts are not counted: they are fetched only when installed) */
  externalPlugins?: number;
  /** add, remove: the manifest written, as the user finds it (undefined: nothing written) */
  savedIn?: string;
  /** a signed registry: how many keys it allows */
  allowedSigners?: number;
  /** registry add --allowed-signers: who signed the head commit */
  signer?: { fingerprint: string; principal?: string };
}

/** The scope's manifest as the user finds it from where agentpkg runs (`~/.claude/...`, a parent project's). */
function manifestShown(ctx: Context): string {
  const { scope, deps } = ctx;
  if (scope.global) return displayPath(scope, scope.manifestPath, deps.home);
  if (path.resolve(scope.root) !== path.resolve(deps.cwd)) return `${tildePath(scope.manifestPath, deps.home)} (the project found above this folder)`;
  return ".claude/agentpkg.json";
}

/** Change the manifest as read under the project lock (after finishing an interrupted run), never a stale copy. */
async function saveManifest(ctx: Context, change: (m: Manifest) => Manifest, dryRun: boolean): Promise<void> {
  if (dryRun) return;
  await withProjectLock(ctx, async () => {
    const { manifest } = await readProjectFiles(ctx.scope);
    await writeFileAtomic(ctx.scope.manifestPath, serializeManifest(change(manifest)));
  });
}

/** The kind a manifest records with a registry's url: a registry.json registry is what a plain url means. */
export const recordedKind = (kind: Source["kind"]) => (kind === "marketplace" || kind === "plain" ? kind : undefined);

/** The manifest with registry `name` recorded as `registry add` writes it: its url, its kind, its allowed signers. */
export function withRegistry(m: Manifest, name: string, url: string, kind: Source["kind"], signers: string[] | undefined): Manifest {
  const fixed = recordedKind(kind);
  const registryTypes = dict(m.registryTypes ?? {});
  delete registryTypes[name];
  if (fixed) registryTypes[name] = fixed;
  const registries = dict(m.registries);
  registries[name] = url;
  const registrySigners = dict(m.registrySigners ?? {});
  if (signers) registrySigners[name] = signers;
  return { ...m, registries, ...(Object.keys(registryTypes).length ? { registryTypes } : { registryTypes: undefined }), ...(Object.keys(registrySigners).length ? { registrySigners } : {}) };
}

/** registry add NAME URL: check that the url is a registry (fetching it into the cache), then record it. */
export async function runRegistryAdd(o: CommonOptions & { name: string; url: string; type?: string; allowedSigners?: string }, deps: Deps): Promise<RegistryInfo> {
  assertRegistryName(o.name, "the command line");
  classifyGitUrl(o.url);
  const url = normalizeGitUrl(o.url, deps.cwd);
  const signers = o.allowedSigners === undefined ? undefined : await readSignersFile(o.allowedSigners, url, deps);
  const ctx = await openContext(o, deps);
  const existing = own(ctx.files.manifest.registries, o.name);
  if (existing !== undefined && existing !== url) {
    throw new AgentpkgError("E_USAGE", `registry ${o.name} already points at ${existing}`, { hint: `remove it first: agentpkg registry remove ${o.name}` });
  }
  const { parseRegistryType } = await import("../sources/pick-source.js");
  const type = o.type === undefined ? undefined : parseRegistryType(o.type, "--type");
  const probe = new Registries([{ name: o.name, url, ...(type ? { type } : {}) }], deps, { offline: o.offline === true, policy: "always" });
  const source = await probe.get(o.name);
  // the head must already be signed by one of the keys: every install from it would be refused otherwise
  const signer = signers ? await headSigner(o.name, source, signers, o.allowedSigners!, deps) : undefined;
  const agents = source.countAgents ? await source.countAgents() : (await source.listAgents()).length;
  const withType = (m: Manifest): Manifest => withRegistry(m, o.name, url, source.kind, signers?.map((s) => s.line));
  // an existing registry (same url) takes new allowed signers: the way to start requiring signatures
  if (existing === undefined || signers) await saveManifest(ctx, withType, o.dryRun === true);
  const plugins = (await source.listPlugins?.()) ?? [];
  const parts: Record<string, number> = {};
  const notes: string[] = [];
  for (const p of plugins) {
    for (const [kind, n] of Object.entries(p.parts ?? {})) parts[kind] = (parts[kind] ?? 0) + n;
    for (const note of (p as { notes?: string[] }).notes ?? []) notes.push(`plugin ${p.name}: ${note}`);
  }
  const external = plugins.filter((p) => (p as { external?: unknown }).external !== undefined).length;
  const pluginInfo = source.listPlugins ? { plugins: plugins.length, parts, ...(external ? { externalPlugins: external } : {}) } : {};
  // installed packages stay with the registry they came from: say which ones the new registry also has
  for (const [name, e] of Object.entries(ctx.files.lock.agents)) {
    if (e.registry !== o.name && (await source.getAgent(name).catch(() => null))) notes.push(`installed agent ${name} (from ${e.registry}) is also in ${o.name}; it stays with ${e.registry} (agentpkg install ${o.name}/${name} switches it)`);
  }
  for (const [name, p] of Object.entries(ctx.files.lock.plugins)) {
    if (p.registry !== o.name && (await source.getPlugin?.(name))) notes.push(`installed plugin ${name} (from ${p.registry}) is also in ${o.name}; it stays with ${p.registry} (agentpkg install --plugin ${o.name}/${name} switches it)`);
  }
  const savedIn = existing === undefined && !o.dryRun ? { savedIn: manifestShown(ctx) } : {};
  const signed = signers ? { allowedSigners: signers.length, ...(signer ? { signer } : {}) } : {};
  return { name: o.name, url, agents, commit: source.commit, type: source.kind, warnings: [...(source.warnings ?? []), ...notes], ...pluginInfo, ...signed, ...savedIn };
}

/** --allowed-signers FILE: git's allowed-signers format (SSH keys), for a git registry only. */
export async function readSignersFile(file: string, url: string, deps: Deps): Promise<AllowedSigner[]> {
  if (url === BUILTIN_URL || isTarballUrl(url)) {
    throw new AgentpkgError("E_USAGE", "--allowed-signers needs a git registry: an archive has no commits to sign", { hint: "add the registry's git repository instead" });
  }
  const abs = path.resolve(deps.cwd, file);
  const data = readRegularFileIfExists(abs, { limit: 1024 * 1024, display: file });
  if (!data) throw new AgentpkgError("E_USAGE", `--allowed-signers ${file}: no such file`, { hint: "a file of allowed signers, one key per line: alice@example.com ssh-ed25519 AAAA..." });
  return parseAllowedSigners(data.toString("utf8"), file);
}

/** Who signed the registry's head commit (it must be one of the keys). */
export async function headSigner(name: string, source: Source, signers: AllowedSigner[], file: string, deps: Deps): Promise<{ fingerprint: string; principal?: string }> {
  if (!source.commitDir || !source.commit) throw new AgentpkgError("E_USAGE", `--allowed-signers needs a git registry: ${name} has no commits to sign`);
  const sig = (await readCommitSignatures(await source.commitDir(source.commit), [source.commit], signers, deps.env)).get(source.commit);
  const problem = signatureProblem(name, sig);
  if (problem) {
    throw new AgentpkgError("E_SIGNATURE", `registry ${name}'s head commit ${source.commit.slice(0, 12)} ${problem.replace(/one of registry \S+'s allowed signers/, `in ${file}`)}; nothing was saved`, {
      hint: "check the keys in the file, or ask the registry's maintainers to sign their commits (git config commit.gpgsign true)",
    });
  }
  return { fingerprint: sig!.fingerprint!, ...(sig!.principal ? { principal: sig!.principal } : {}) };
}

export async function runRegistryRemove(o: CommonOptions & { name: string }, deps: Deps): Promise<RegistryInfo> {
  const ctx = await openContext(o, deps);
  const url = own(ctx.files.manifest.registries, o.name);
  if (url === undefined) throw new AgentpkgError("E_NOT_FOUND", `no registry named "${o.name}" in ${ctx.scope.global ? displayPath(ctx.scope, ctx.scope.manifestPath, deps.home) : ".claude/agentpkg.json"}`);
  // a package still needs the registry when the manifest names it or the lock installed from it (a sticky registry)
  const using = (deps: Record<string, { registry?: string }>, locked: Record<string, { registry: string }>) =>
    [...new Set([...Object.keys(deps).filter((n) => deps[n]!.registry === o.name), ...Object.keys(locked).filter((n) => locked[n]!.registry === o.name)])].sort();
  const agents = using(ctx.files.manifest.agents, ctx.files.lock.agents);
  const plugins = using(ctx.files.manifest.plugins, ctx.files.lock.plugins);
  if (agents.length || plugins.length) {
    const names = [...agents, ...plugins.map((p) => `plugin ${p}`)];
    const first = [agents.length ? `agentpkg remove ${agents.join(" ")}` : "", ...plugins.map((p) => `agentpkg remove --plugin ${p}`)].filter(Boolean);
    throw new AgentpkgError("E_USAGE", `registry ${o.name} is still used by ${names.join(", ")}`, { hint: `remove those first: ${first.join("; ")}` });
  }
  await saveManifest(ctx, (m) => {
    const registries = dict(m.registries);
    delete registries[o.name];
    return { ...m, registries };
  }, o.dryRun === true);
  return { name: o.name, url, ...(o.dryRun ? {} : { savedIn: manifestShown(ctx) }) };
}

/**
 * registry list: each registry in lookup order with its kind (registry, marketplace, plain, tarball, bundled).
 * Never fetches: a kind the manifest does not record is read from the cached copy ("unknown" before the first fetch).
 */
export async function runRegistryList(o: CommonOptions, deps: Deps): Promise<RegistryInfo[]> {
  const ctx = await openContext({ ...o, offline: true }, deps);
  const signed = ctx.files.manifest.registrySigners;
  const out: RegistryInfo[] = [];
  for (const r of configuredRegistries(ctx.files.manifest)) {
    const type = declaredKind(r) ?? (await ctx.registries.get(r.name, "never").then((s) => s.kind as string, () => "unknown"));
    out.push({ name: r.name, url: r.url, type, ...(own(signed, r.name) ? { allowedSigners: own(signed, r.name)!.length } : {}) });
  }
  return out;
}

/** registry update [NAME...]: fetch the newest registry.json now. */
export async function runRegistryUpdate(o: CommonOptions & { names: string[] }, deps: Deps): Promise<RegistryInfo[]> {
  const ctx = await openContext(o, deps, "always");
  const refs = configuredRegistries(ctx.files.manifest).filter((r) => o.names.length === 0 || o.names.includes(r.name));
  for (const n of o.names) ctx.registries.ref(n);
  const out: RegistryInfo[] = [];
  for (const r of refs) {
    const source = await ctx.registries.get(r.name);
    out.push({ name: r.name, url: r.url, agents: source.countAgents ? await source.countAgents() : (await source.listAgents()).length, commit: r.url === BUILTIN_URL ? null : source.commit });
  }
  return out;
}
