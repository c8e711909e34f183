import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { parseSpec } from "../sources/spec.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export interface RemoveOptions extends ChangeOptions {
  names: string[];
}

/** remove NAME...: delete the agent files and their manifest and lock entries. */
export async function runRemove(o: RemoveOptions, deps: Deps): Promise<ChangeResult> {
  if (o.names.length === 0) throw new AgentpkgError("E_USAGE", "name at least one agent to remove");
  const names = o.names.map((n) => parseSpec(n).name);
  return runChange("remove", o, deps, "if-stale", async (c) => {
    const manifest = cloneManifest(c.files.manifest);
    for (const name of names) {
      if (!Object.hasOwn(manifest.agents, name) && !Object.hasOwn(c.files.lock.agents, name)) {
        throw new AgentpkgError("E_NOT_FOUND", `${name} is not installed`, { hint: "see what is with agentpkg list" });
      }
      delete manifest.agents[name];
    }
    return { manifest, resolvedNow: new Map() };
  });
}
