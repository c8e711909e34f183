import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry } from "../project/lockfile.js";
import { parseSpec } from "../sources/spec.js";
import { rangeToSave } from "../sources/resolve.js";
import { resolveAgent } from "../change/resolve-agent.js";
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
    const targets = names.length ? names : Object.keys(manifest.agents);
    for (const name of names) {
      if (!Object.hasOwn(manifest.agents, name)) {
        throw new AgentpkgError("E_NOT_FOUND", `${name} is not in .claude/agentpkg.json`, { hint: `install it first: agentpkg install ${name}` });
      }
    }
    const resolvedNow = new Map<string, LockEntry>();
    await Promise.all(
      targets.map(async (name) => {
        const dep = manifest.agents[name]!;
        const resolved = await resolveAgent(c.registries, name, o.latest ? { ...dep, range: "latest" } : dep);
        if (o.latest) manifest.agents[name] = { ...dep, range: rangeToSave(undefined, resolved.entry.version, o.exact === true) };
        const locked = c.files.lock.agents[name];
        // same version as locked: keep the locked entry (and its commit) so the lockfile stays byte-identical
        resolvedNow.set(name, locked && locked.version === resolved.entry.version && locked.sha256 === resolved.entry.sha256 ? locked : resolved.entry);
      }),
    );
    return { manifest, resolvedNow };
  });
}
