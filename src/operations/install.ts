import { semver } from "../util/semver.js";
import { AgentpkgError } from "../util/errors.js";
import { own } from "../util/json.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry, PluginLock } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import { parseSpec, type AgentSpec } from "../sources/spec.js";
import { rangeToSave } from "../sources/resolve.js";
import { lookUpTogether, resolveAgent } from "../change/resolve-agent.js";
import { resolvePlugin } from "../change/resolve-plugin.js";
import { lockSatisfies } from "../change/desired-lock.js";
import type { Context } from "../change/context.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export interface InstallOptions extends ChangeOptions {
  specs: string[];
  /** save the exact version instead of ^version */
  exact?: boolean;
  /** the specs name plugins (of marketplaces), installed whole */
  plugin?: boolean;
  /** install REPO (install-repo.ts): puts the repository's registry in the manifest and the run's registries */
  addRegistry?: (c: Context, manifest: Manifest) => void;
}

interface Wanted {
  manifest: Manifest;
  agents: Map<string, LockEntry>;
  plugins: Map<string, PluginLock>;
  exact: boolean;
}

/**
 * install NAME[@RANGE]...: add or change manifest entries, then bring the lock and disk in line with
 * the whole manifest. With no names it installs what the manifest and lock say; under CI=true that
 * is frozen (the lock must already be complete) unless --no-frozen. A name no registry has as an agent
 * may be a plugin (installed whole), and PLUGIN:PART one part of a plugin.
 */
export async function runInstall(o: InstallOptions, deps: Deps): Promise<ChangeResult> {
  const specs = o.specs.map(parseSpec);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new AgentpkgError("E_USAGE", `${s.name} is named twice`);
    seen.add(s.name);
  }
  const frozen = o.frozen ?? (deps.env.CI === "true" && specs.length === 0);
  return runChange("install", { ...o, frozen }, deps, "if-stale", async (c) => {
    const w: Wanted = { manifest: cloneManifest(c.files.manifest), agents: new Map(), plugins: new Map(), exact: o.exact === true };
    o.addRegistry?.(c, w.manifest);
    if (!o.plugin && specs.length > 1) await lookUpTogether(c.registries, specs);
    for (const spec of specs) {
      if (o.plugin) {
        await wantPlugin(c, w, spec, spec.name);
        continue;
      }
      try {
        await wantAgent(c, w, spec);
      } catch (err) {
        const plugin = err instanceof AgentpkgError && err.code === "E_NOT_FOUND" ? await pluginFor(c, spec) : undefined;
        if (!plugin) throw err;
        await wantPlugin(c, w, spec, plugin.name, plugin.part);
      }
    }
    return { manifest: w.manifest, resolvedNow: { agents: w.agents, plugins: w.plugins } };
  });
}

async function wantAgent(c: Context, w: Wanted, spec: AgentSpec): Promise<void> {
  const { manifest } = w;
  const locked = own(c.files.lock.agents, spec.name);
  const existing = own(manifest.agents, spec.name);
  const registry = spec.registry ?? (spec.range === undefined ? existing?.registry : undefined);
  if (spec.range === undefined && existing && existing.registry === registry && lockSatisfies(locked, existing)) return;
  const dep: Dependency = { range: spec.range ?? "latest", registry };
  if (spec.range !== undefined && semver.isValidRange(spec.range) && lockSatisfies(locked, dep)) {
    manifest.agents[spec.name] = { range: rangeToSave(spec.range, locked.version, w.exact), registry };
    return;
  }
  const resolved = await resolveAgent(c.registries, spec.name, dep, spec.registry === undefined ? locked : undefined);
  manifest.agents[spec.name] = { range: rangeToSave(spec.range, resolved.entry.version, w.exact), registry };
  w.agents.set(spec.name, resolved.entry);
  if (resolved.agent.deprecated) c.notes.push(`${spec.name} is deprecated: ${resolved.agent.deprecated}`); // as npm warns
}

/** The plugin a name no registry has as an agent stands for: NAME itself, or PLUGIN of PLUGIN:PART. */
async function pluginFor(c: Context, spec: AgentSpec): Promise<{ name: string; part?: string } | undefined> {
  const colon = spec.name.indexOf(":");
  const candidates = colon > 0 ? [{ name: spec.name.slice(0, colon), part: spec.name.slice(colon + 1) }] : [{ name: spec.name }];
  for (const cand of candidates) {
    for (const ref of spec.registry ? [c.registries.ref(spec.registry)] : c.registries.refs) {
      const source = await c.registries.get(ref.name);
      if (await source.getPlugin?.(cand.name)) return cand;
    }
  }
  return undefined;
}

/** A plugin whole, or (with `part`) one more of its parts; a whole plugin already installed has every part. */
async function wantPlugin(c: Context, w: Wanted, spec: AgentSpec, name: string, part?: string): Promise<void> {
  const { manifest } = w;
  const existing = own(manifest.plugins, name);
  const locked = own(c.files.lock.plugins, name);
  if (part !== undefined && existing && !existing.parts && spec.range === undefined) return; // already installed whole
  const parts = part === undefined ? undefined : [...new Set([...(existing?.parts ?? []), part])].sort();
  const registry = spec.registry ?? (spec.range === undefined ? existing?.registry : undefined);
  const dep: Dependency = { range: spec.range ?? existing?.range ?? "latest", registry, ...(parts ? { parts } : {}) };
  const save = (version: string) => {
    manifest.plugins[name] = { range: spec.range === undefined && existing ? existing.range : rangeToSave(spec.range, version, w.exact), registry, ...(parts ? { parts } : {}) };
  };
  if (lockSatisfies(locked, dep) && (spec.range === undefined ? existing !== undefined : semver.isValidRange(spec.range))) {
    save(locked.version);
    return;
  }
  const resolved = await resolvePlugin(c, name, dep, spec.registry === undefined ? locked : undefined);
  save(resolved.lock.version);
  w.plugins.set(name, resolved.lock);
}
