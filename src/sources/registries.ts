import { AgentpkgError } from "../util/errors.js";
import { cacheDir, type Deps } from "../util/deps.js";
import type { Manifest } from "../project/manifest.js";
import { BUILTIN_URL, BuiltinSource, DEFAULT_REGISTRY } from "./bundled/builtin-source.js";
import { isTarballUrl } from "./tarball/tarball-url.js";
import type { RefreshPolicy } from "../store/git-mirrors.js";
import { openGitSource } from "./pick-source.js";
import type { RegistryType, Source } from "./source.js";

export interface RegistryRef {
  name: string;
  url: string;
  /** undefined: detected from the repository's content */
  type?: RegistryType;
}

/** Lookup order: the manifest's registries in order, then the bundled default (unless overridden). */
export function configuredRegistries(manifest: Manifest): RegistryRef[] {
  const refs: RegistryRef[] = Object.entries(manifest.registries).map(([name, url]) => {
    const type = manifest.registryTypes?.[name];
    return type ? { name, url, type } : { name, url };
  });
  if (!Object.hasOwn(manifest.registries, DEFAULT_REGISTRY)) refs.push({ name: DEFAULT_REGISTRY, url: BUILTIN_URL });
  return refs;
}

/** What kind of registry a ref is, when its url or the manifest says so (no I/O); undefined: detected from its content. */
export function declaredKind(ref: RegistryRef): "bundled" | "tarball" | RegistryType | undefined {
  if (ref.url === BUILTIN_URL) return "bundled";
  if (isTarballUrl(ref.url)) return "tarball";
  return ref.type;
}

export interface SourceOptions {
  offline: boolean;
  /** "always" for upgrade/outdated; "if-stale" for install */
  policy: Exclude<RefreshPolicy, "never">;
}

const DEFAULT_TTL_S = 600;

/** Opens each registry at most once per command (and each at most once refreshed). */
export class Registries {
  private readonly open = new Map<string, Promise<Source>>();
  constructor(
    readonly refs: RegistryRef[],
    private readonly deps: Deps,
    private readonly o: SourceOptions,
  ) {}

  /** --offline: nothing is fetched */
  get offline(): boolean {
    return this.o.offline;
  }

  ref(name: string): RegistryRef {
    const ref = this.refs.find((r) => r.name === name);
    if (!ref) {
      throw new AgentpkgError("E_NOT_FOUND", `no registry named "${name}"`, {
        hint: `configured: ${this.refs.map((r) => r.name).join(", ")}; add one with agentpkg registry add ${name} <git-url>`,
      });
    }
    return ref;
  }

  get(name: string, policy?: RefreshPolicy): Promise<Source> {
    const key = `${name}:${policy ?? ""}`;
    let p = this.open.get(key);
    if (!p) {
      p = this.openSource(this.ref(name), policy ?? (this.o.offline ? "never" : this.o.policy));
      this.open.set(key, p);
    }
    return p;
  }

  /**
   * A registry the command adds (install REPO): looked up after the manifest's and before the bundled
   * default, as the manifest will list it; `source`, when the caller already opened it, is not opened again.
   */
  add(ref: RegistryRef, source?: Source): void {
    if (!this.refs.some((r) => r.name === ref.name)) {
      const builtin = this.refs.findIndex((r) => r.url === BUILTIN_URL && r.name === DEFAULT_REGISTRY);
      this.refs.splice(builtin === -1 ? this.refs.length : builtin, 0, ref);
    }
    if (source) this.open.set(`${ref.name}:`, Promise.resolve(source));
  }

  /** Re-read a registry from the network when a lookup missed in a cached copy; null if that cannot help. */
  async refreshed(name: string): Promise<Source | null> {
    const current = await this.get(name);
    if (this.o.offline || current.fresh !== false) return null;
    const src = await this.get(name, "always");
    this.open.set(`${name}:`, Promise.resolve(src));
    return src;
  }

  /** A registry known only from a lockfile entry (renamed or removed from the manifest since). */
  adHoc(ref: RegistryRef): Promise<Source> {
    const key = `adhoc:${ref.url}`;
    let p = this.open.get(key);
    if (!p) {
      p = this.openSource(ref, this.o.offline ? "never" : "if-stale");
      this.open.set(key, p);
    }
    return p;
  }

  private openSource(ref: RegistryRef, policy: RefreshPolicy): Promise<Source> {
    if (ref.url === BUILTIN_URL) return BuiltinSource.open(ref.name);
    const ttl = Number(this.deps.env.AGENTPKG_REGISTRY_TTL ?? DEFAULT_TTL_S);
    if (isTarballUrl(ref.url)) {
      const ttlMs = (Number.isFinite(ttl) ? ttl : DEFAULT_TTL_S) * 1000;
      return import("./tarball/tarball-source.js").then((m) => m.TarballSource.open(ref.name, ref.url, { cache: cacheDir(this.deps), policy, ttlMs }));
    }
    const progress = this.deps.progress;
    return openGitSource(ref, {
      cache: cacheDir(this.deps),
      env: this.deps.env,
      policy,
      ttlMs: (Number.isFinite(ttl) ? ttl : DEFAULT_TTL_S) * 1000,
      ...(progress ? { progress: (text: string) => progress.update(`registry ${ref.name}: ${text}`) } : {}),
    });
  }
}

/** The source a lock entry came from: the configured registry of that name when its url still matches. */
export async function sourceForEntry(registries: Registries, entry: { registry: string; url: string }): Promise<Source> {
  const configured = registries.refs.find((r) => r.name === entry.registry && r.url === entry.url);
  if (configured) return registries.get(configured.name);
  return registries.adHoc({ name: entry.registry, url: entry.url });
}
