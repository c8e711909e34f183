import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../../util/errors.js";
import { parseRegistryJson, type RegistryIndex } from "../git-registry/registry-json.js";
import { assertSafeVersionPath, readRegistryFile, readRegistryJsonOnDisk } from "../read-checks.js";
import { ensureTarball, snapshotDir, type TarballSnapshot } from "../../store/tarball-cache.js";
import type { RefreshPolicy } from "../../store/git-mirrors.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "../source.js";

/**
 * A registry shipped as a tarball (`registry pack`, or a GitHub archive) holding a registry repo's files.
 * It is extracted safely into the cache, keyed by the archive's sha256, which also serves as its
 * "commit" in lockfiles: the exact snapshot a version was read from.
 */
export class TarballSource implements Source {
  readonly kind = "tarball" as const;
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly snap: TarballSnapshot,
    private readonly index: RegistryIndex,
    private readonly cache: string,
  ) {}

  get commit(): string {
    return this.snap.sha256;
  }

  static async open(name: string, url: string, o: { cache: string; policy: RefreshPolicy; ttlMs: number }): Promise<TarballSource> {
    const snap = await ensureTarball(url, { ...o, label: name });
    const text = readRegistryJsonOnDisk(name, snap.dir)?.toString("utf8");
    if (text === undefined) throw new AgentpkgError("E_REGISTRY_INVALID", `registry ${name}: the cached copy of ${url} has no registry.json`, { hint: "run agentpkg doctor --fix, or delete the cache folder" });
    return new TarballSource(name, url, snap, parseRegistryJson(text, name), o.cache);
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    return Object.hasOwn(this.index.agents, name) ? this.index.agents[name]! : null;
  }

  async listAgents(): Promise<AgentEntry[]> {
    return Object.values(this.index.agents);
  }

  /** From the locked snapshot when it is still cached, else from the current one (the sha256 check decides). */
  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    assertSafeVersionPath(this.name, v);
    let dir = this.snap.dir;
    let at = this.snap.sha256;
    if (commit && commit !== at && /^[0-9a-f]{64}$/.test(commit)) {
      const old = snapshotDir(this.cache, commit);
      if (await fs.access(path.join(old, "registry.json")).then(() => true, () => false)) {
        dir = old;
        at = commit;
      }
    }
    return readRegistryFile(dir, this.name, v, at, () =>
      new AgentpkgError("E_REGISTRY_INVALID", `${this.name}: ${v.path} (${v.version}) is listed in registry.json but missing from the archive`),
    );
  }
}
