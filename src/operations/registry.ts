import fs from "node:fs/promises";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { classifyGitUrl, normalizeGitUrl } from "../util/git.js";
import { assertRegistryName } from "../util/names.js";
import { acquireLock } from "../util/process-lock.js";
import { writeFileAtomic } from "../util/atomic.js";
import { serializeManifest, type Manifest } from "../project/manifest.js";
import { configuredRegistries, Registries } from "../registry/registries.js";
import { BUILTIN_URL } from "../registry/builtin-source.js";
import { openContext, type CommonOptions, type Context } from "./context.js";

export interface RegistryInfo {
  name: string;
  url: string;
  agents?: number;
  commit?: string | null;
}

async function saveManifest(ctx: Context, manifest: Manifest, dryRun: boolean): Promise<void> {
  if (dryRun) return;
  await fs.mkdir(ctx.scope.claudeDir, { recursive: true });
  const release = await acquireLock(ctx.scope.lockDir, 15_000);
  try {
    await writeFileAtomic(ctx.scope.manifestPath, serializeManifest(manifest));
  } finally {
    await release();
  }
}

/** registry add NAME URL: check that the url is a registry (fetching it into the cache), then record it. */
export async function runRegistryAdd(o: CommonOptions & { name: string; url: string }, deps: Deps): Promise<RegistryInfo> {
  assertRegistryName(o.name, "the command line");
  classifyGitUrl(o.url);
  const url = normalizeGitUrl(o.url, deps.cwd);
  const ctx = await openContext(o, deps);
  const existing = ctx.files.manifest.registries[o.name];
  if (existing !== undefined && existing !== url) {
    throw new AgentpkgError("E_USAGE", `registry ${o.name} already points at ${existing}`, { hint: `remove it first: agentpkg registry remove ${o.name}` });
  }
  const probe = new Registries([{ name: o.name, url }], deps, { offline: o.offline === true, policy: "always" });
  const source = await probe.get(o.name);
  const agents = (await source.listAgents()).length;
  const manifest = { ...ctx.files.manifest, registries: { ...ctx.files.manifest.registries, [o.name]: url } };
  if (existing === undefined) await saveManifest(ctx, manifest, o.dryRun === true);
  return { name: o.name, url, agents, commit: source.commit };
}

export async function runRegistryRemove(o: CommonOptions & { name: string }, deps: Deps): Promise<RegistryInfo> {
  const ctx = await openContext(o, deps);
  const url = ctx.files.manifest.registries[o.name];
  if (url === undefined) throw new AgentpkgError("E_NOT_FOUND", `no registry named "${o.name}" in ${ctx.scope.global ? "~/.claude" : ".claude"}/agentpkg.json`);
  const users = Object.entries(ctx.files.manifest.agents).filter(([, d]) => d.registry === o.name).map(([n]) => n);
  if (users.length) {
    throw new AgentpkgError("E_USAGE", `registry ${o.name} is still used by ${users.join(", ")}`, { hint: `remove those agents first: agentpkg remove ${users.join(" ")}` });
  }
  const registries = { ...ctx.files.manifest.registries };
  delete registries[o.name];
  await saveManifest(ctx, { ...ctx.files.manifest, registries }, o.dryRun === true);
  return { name: o.name, url };
}

export async function runRegistryList(o: CommonOptions, deps: Deps): Promise<RegistryInfo[]> {
  const ctx = await openContext(o, deps);
  return configuredRegistries(ctx.files.manifest).map((r) => ({ name: r.name, url: r.url }));
}

/** registry update [NAME...]: fetch the newest registry.json now. */
export async function runRegistryUpdate(o: CommonOptions & { names: string[] }, deps: Deps): Promise<RegistryInfo[]> {
  const ctx = await openContext(o, deps, "always");
  const refs = configuredRegistries(ctx.files.manifest).filter((r) => o.names.length === 0 || o.names.includes(r.name));
  for (const n of o.names) ctx.registries.ref(n);
  const out: RegistryInfo[] = [];
  for (const r of refs) {
    const source = await ctx.registries.get(r.name);
    out.push({ name: r.name, url: r.url, agents: (await source.listAgents()).length, commit: r.url === BUILTIN_URL ? null : source.commit });
  }
  return out;
}
