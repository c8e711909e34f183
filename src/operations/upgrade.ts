import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry, PluginLock } from "../project/lockfile.js";
import { own, stableJson } from "../util/json.js";
import { contentOf } from "../project/lock-plugins.js";
import { resolvePlugin } from "../change/resolve-plugin.js";
import { parseSpec } from "../sources/spec.js";
import { rangeToSave } from "../sources/resolve.js";
import { resolveAgent } from "../change/resolve-agent.js";
import { lacksAllowedSigner } from "../sources/signed-packages.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export interface UpgradeOptions extends ChangeOptions {
  names: string[];
  /** move past the manifest range to the latest version, and rewrite the range */
  latest?: boolean;
  exact?: boolean;
}

/** upgrade [NAME...]: newest version within each manifest range (or the latest, with --latest). */
export async function runUpgrade(o: UpgradeOptions, deps: Deps): Promise<ChangeResult> {
  const names = o.names.map((n) => {
    const spec = parseSpec(n);
    if (spec.range !== undefined || spec.registry !== undefined) {
      throw new AgentpkgError("E_USAGE", `upgrade takes agent names, not specs ("${n}")`, { hint: `use agentpkg install ${n} to change the range` });
    }
    return spec.name;
  });
  return runChange("upgrade", o, deps, "always", async (c) => {
    const manifest = cloneManifest(c.files.manifest);
    for (const name of names) {
      if (!Object.hasOwn(manifest.agents, name) && !Object.hasOwn(manifest.plugins, name)) {
        throw new AgentpkgError("E_NOT_FOUND", `${name} is not in .claude/agentpkg.json`, { hint: `install it first: agentpkg install ${name}` });
      }
    }
    const agents = names.length ? names.filter((n) => Object.hasOwn(manifest.agents, n)) : Object.keys(manifest.agents);
    const plugins = names.length ? names.filter((n) => !Object.hasOwn(manifest.agents, n)) : Object.keys(manifest.plugins);
    const resolvedNow = new Map<string, LockEntry>();
    const resolvedPlugins = new Map<string, PluginLock>();
    await Promise.all([
      ...plugins.map(async (name) => {
        const dep = manifest.plugins[name]!;
        const locked = own(c.files.lock.plugins, name);
        let resolved;
        try {
          resolved = await resolvePlugin(c, name, o.latest ? { ...dep, range: "latest" } : dep, locked);
        } catch (err) {
          // a plugin whose own repository is unreachable stays as locked, unless it was named
          if (!(err instanceof AgentpkgError && err.code === "E_REGISTRY_UNREACHABLE" && names.length === 0 && locked)) throw err;
          c.notes.push(`plugin ${name} not upgraded: ${err.message}`);
          resolvedPlugins.set(name, locked);
          return;
        }
        if (o.latest) manifest.plugins[name] = { ...dep, range: rangeToSave(undefined, resolved.lock.version, o.exact === true) };
        // the same files at the same version: keep the locked entry (and its commit), the lockfile byte-identical
        const same = locked && locked.version === resolved.lock.version && stableJson(contentOf(locked)) === stableJson(contentOf(resolved.lock)) && !lacksAllowedSigner(manifest, locked);
        resolvedPlugins.set(name, same ? locked : resolved.lock);
      }),
      ...agents.map(async (name) => {
        const dep = manifest.agents[name]!;
        const resolved = await resolveAgent(c.registries, name, o.latest ? { ...dep, range: "latest" } : dep, own(c.files.lock.agents, name));
        if (o.latest) manifest.agents[name] = { ...dep, range: rangeToSave(undefined, resolved.entry.version, o.exact === true) };
        const locked = c.files.lock.agents[name];
        // same version as locked: keep the locked entry (and its commit) so the lockfile stays byte-identical
        // (unless a signed registry's entry names no allowed signer: then the commit resolved now is checked)
        resolvedNow.set(name, locked && locked.version === resolved.entry.version && locked.sha256 === resolved.entry.sha256 && !lacksAllowedSigner(manifest, locked) ? locked : resolved.entry);
      }),
    ]);
    return { manifest, resolvedNow: { agents: resolvedNow, plugins: resolvedPlugins } };
  });
}
