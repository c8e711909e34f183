import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentpkgError } from "../../util/errors.js";
import { parseRegistryJson, type RegistryIndex } from "../git-registry/registry-json.js";
import { readRegistryFile, readRegistryJsonOnDisk } from "../read-checks.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "../source.js";

export const BUILTIN_URL = "builtin";
export const DEFAULT_REGISTRY = "default";

/**
 * The package root: the nearest folder above this module with a package.json (the bundle dist/agentpkg.cjs
 * -> .., src/registry/ under vitest -> ../.., an alternate build .build/<name>/agentpkg.cjs -> ../..).
 */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = path.dirname(here), i = 0; i < 4; dir = path.dirname(dir), i++) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
  }
  return path.resolve(here, "..", "..");
}

/** The registry shipped inside the agentpkg package: registry.json + agents/, read from disk, no git. */
export class BuiltinSource implements Source {
  readonly kind = "builtin" as const;
  readonly url = BUILTIN_URL;
  readonly commit = null;
  private constructor(
    readonly name: string,
    private readonly root: string,
    private readonly index: RegistryIndex,
  ) {}

  static async open(name: string, root = packageRoot()): Promise<BuiltinSource> {
    let text: string | undefined;
    try {
      text = readRegistryJsonOnDisk(name, root)?.toString("utf8");
    } catch (err) {
      if (err instanceof AgentpkgError) throw err;
      text = undefined;
    }
    if (text === undefined) {
      throw new AgentpkgError("E_REGISTRY_INVALID", `the bundled registry is missing (${path.join(root, "registry.json")})`, { hint: "reinstall agentpkg" });
    }
    return new BuiltinSource(name, root, parseRegistryJson(text, name));
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    return Object.hasOwn(this.index.agents, name) ? this.index.agents[name]! : null;
  }

  async listAgents(): Promise<AgentEntry[]> {
    return Object.values(this.index.agents);
  }

  async readVersion(v: VersionInfo): Promise<FetchedFile> {
    return readRegistryFile(this.root, this.name, v, null, () =>
      new AgentpkgError("E_REGISTRY_INVALID", `${this.name}: ${v.path} (${v.version}) is listed but missing`, { hint: "reinstall agentpkg" }),
    );
  }
}
