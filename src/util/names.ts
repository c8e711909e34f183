import { AgentpkgError } from "./errors.js";

/**
 * Agent and registry names become file names, so they are restricted: letters, digits, '.', '_', '-',
 * starting with a letter or digit, no '..', at most 100 characters. Lowercase-hyphen is the portable form.
 */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const REGISTRY_NAME_RE = /^[a-z0-9][a-z0-9-]{0,49}$/;

export function isValidAgentName(name: string): boolean {
  return NAME_RE.test(name) && !name.includes("..") && !name.toLowerCase().endsWith(".md");
}

/**
 * An agent as a project names it: NAME, or QUALIFIER:NAME for one of several same-named agents of a
 * marketplace (qualifier = plugin) or plain repository (qualifier = folder). Installed as QUALIFIER/NAME.md.
 */
export function isValidAgentRef(ref: string): boolean {
  const parts = ref.split(":");
  return parts.length <= 2 && parts.every(isValidAgentName);
}

export function assertAgentName(name: string, where: string): string {
  if (!isValidAgentRef(name)) {
    throw new AgentpkgError("E_USAGE", `invalid agent name ${JSON.stringify(name)} in ${where}`, {
      hint: "agent names use letters, digits, '-', '_' or '.', and no path separators",
    });
  }
  return name;
}

export function isValidRegistryName(name: string): boolean {
  return REGISTRY_NAME_RE.test(name);
}

export function assertRegistryName(name: string, where: string): string {
  if (!isValidRegistryName(name)) {
    throw new AgentpkgError("E_USAGE", `invalid registry name ${JSON.stringify(name)} in ${where}`, {
      hint: "registry names use lowercase letters, digits and '-'",
    });
  }
  return name;
}
