import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { parseSpec } from "../sources/spec.js";
import { cloneManifest, runChange, type ChangeOptions } from "../change/pipeline.js";
import type { ChangeResult } from "../change/result.js";

export interface RemoveOptions extends ChangeOptions {
  names: string[];
  /** the names are plugins */
  plugin?: boolean;
}

/**
 * remove NAME...: delete the agent's (or plugin's) files, its manifest and lock entries, and what it added to
 * the shared settings files. A name that is no agent may be a plugin; PLUGIN:PART drops one part of a
 * plugin installed part by part.
 */
export async function runRemove(o: RemoveOptions, deps: Deps): Promise<ChangeResult> {
  if (o.names.length === 0) throw new AgentpkgError("E_USAGE", `name at least one ${o.plugin ? "plugin" : "agent"} to remove`);
  const names = o.names.map((n) => parseSpec(n).name);
  return runChange("remove", o, deps, "if-stale", async (c) => {
    const manifest = cloneManifest(c.files.manifest);
    const has = (section: "agents" | "plugins", name: string) => Object.hasOwn(manifest[section], name) || Object.hasOwn(c.files.lock[section], name);
    for (const name of names) {
      if (!o.plugin && has("agents", name)) {
        delete manifest.agents[name];
        continue;
      }
      if (has("plugins", name)) {
        delete manifest.plugins[name];
        continue;
      }
      const colon = name.indexOf(":");
      const [plugin, part] = colon > 0 ? [name.slice(0, colon), name.slice(colon + 1)] : [name, undefined];
      const dep = Object.hasOwn(manifest.plugins, plugin) ? manifest.plugins[plugin]! : undefined;
      if (!dep || part === undefined) throw new AgentpkgError("E_NOT_FOUND", `${name} is not installed`, { hint: "see what is with agentpkg list" });
      if (!dep.parts) {
        throw new AgentpkgError("E_USAGE", `plugin ${plugin} is installed whole, not part by part`, { hint: `remove the whole plugin (agentpkg remove --plugin ${plugin}), or install only the parts you want` });
      }
      if (!dep.parts.includes(part)) throw new AgentpkgError("E_NOT_FOUND", `${part} is not an installed part of plugin ${plugin}`, { hint: `its installed parts: ${dep.parts.join(", ")}` });
      const parts = dep.parts.filter((p) => p !== part);
      if (parts.length) manifest.plugins[plugin] = { ...dep, parts };
      else delete manifest.plugins[plugin];
    }
    return { manifest };
  });
}
