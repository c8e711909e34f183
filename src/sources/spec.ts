import { AgentpkgError } from "../util/errors.js";
import { isValidAgentRef, isValidRegistryName } from "../util/names.js";
import { validRange } from "../util/semver.js";

/** A command-line agent spec: [registry/]name[@range], where name may be plugin:name (a marketplace's same-named agents) */
export interface AgentSpec {
  raw: string;
  name: string;
  registry?: string;
  range?: string;
}

export function parseSpec(raw: string): AgentSpec {
  const bad = (why: string): never => {
    throw new AgentpkgError("E_USAGE", `invalid agent spec "${raw}": ${why}`, {
      hint: "write name, name@range or registry/name@range, e.g. ml-engineer@^1.2",
    });
  };
  const at = raw.indexOf("@", 1);
  const head = at === -1 ? raw : raw.slice(0, at);
  const range = at === -1 ? undefined : raw.slice(at + 1);
  const parts = head.split("/");
  if (parts.length > 2) bad("too many '/'");
  const [registry, name] = parts.length === 2 ? [parts[0], parts[1]] : [undefined, parts[0]];
  if (registry !== undefined && !isValidRegistryName(registry)) bad(`"${registry}" is not a registry name`);
  if (!name || !isValidAgentRef(name)) bad("agent names use letters, digits, '-', '_' or '.' (and plugin:name picks one plugin's agent)");
  if (range !== undefined && (range === "" || !validRange(range))) bad(`"${range}" is not a version range or tag`);
  return { raw, name: name!, registry, range };
}
