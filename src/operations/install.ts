import { semver } from "../util/semver.js";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import type { LockEntry } from "../project/lockfile.js";
import type { Dependency } from "../project/manifest.js";
import { parseSpec } from "../sources/spec.js";
import { rangeToSave } from "../sources/resolve.js";
import { resolveAgent } from "../change/resolve-agent.js";
import { lockSatisfies } from "../change/desired-lock.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export interface InstallOptions extends ChangeOptions {
  specs: string[];
  /** save the exact version instead of ^version */
  exact?: boolean;
}

/**
 * install NAME[@RANGE]...: add or change manifest entries, then bring the lock and disk in line with
 * the whole manifest. With no names it installs what the manifest and lock say; under CI=true that
 * is frozen (the lock must already be complete) unless --no-frozen.
 */
export async function runInstall(o: InstallOptions, deps: Deps): Promise<ChangeResult> {
  const specs = o.specs.map(parseSpec);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new AgentpkgError("E_USAGE", `agent ${s.name} is named twice`);
    seen.add(s.name);
  }
  const frozen = o.frozen ?? (deps.env.CI === "true" && specs.length === 0);
  return runChange("install", { ...o, frozen }, deps, "if-stale", async (c) => {
    const manifest = cloneManifest(c.files.manifest);
    const resolvedNow = new Map<string, LockEntry>();
    for (const spec of specs) {
      const locked = c.files.lock.agents[spec.name];
      const existing = manifest.agents[spec.name];
      const registry = spec.registry ?? (spec.range === undefined ? existing?.registry : undefined);
      if (spec.range === undefined && existing && existing.registry === registry && lockSatisfies(locked, existing)) continue;
      const dep: Dependency = { range: spec.range ?? "latest", registry };
      if (spec.range !== undefined && semver.isValidRange(spec.range) && lockSatisfies(locked, dep)) {
        manifest.agents[spec.name] = { range: rangeToSave(spec.range, locked.version, o.exact === true), registry };
        continue;
      }
      const resolved = await resolveAgent(c.registries, spec.name, dep);
      manifest.agents[spec.name] = { range: rangeToSave(spec.range, resolved.entry.version, o.exact === true), registry };
      resolvedNow.set(spec.name, resolved.entry);
    }
    return { manifest, resolvedNow };
  });
}
