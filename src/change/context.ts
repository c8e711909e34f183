import path from "node:path";
import { cacheDir, type Deps } from "../util/deps.js";
import { scopeFor, scopeRelative, type Scope } from "../project/scope.js";
import { readProjectFiles, type ProjectFiles } from "../project/state.js";
import { ContentStore } from "../store/cas.js";
import { StatCache } from "../store/stat-cache.js";
import { configuredRegistries, Registries, type SourceOptions } from "../sources/registries.js";

/** Flags every command shares. */
export interface CommonOptions {
  global?: boolean;
  offline?: boolean;
  dryRun?: boolean;
  yes?: boolean;
}

export interface Context {
  deps: Deps;
  scope: Scope;
  files: ProjectFiles;
  store: ContentStore;
  /** pristine bytes this run has read, by sha256 (a plugin is read whole; its files are taken from here) */
  pristine: Map<string, Buffer>;
  /** what resolving found worth saying (a plugin's parts a project cannot get), shown with the plan's warnings */
  notes: string[];
  registries: Registries;
  /** file hashes by stat, for planning; saved by whoever finishes the command */
  statCache: StatCache;
}

export async function openContext(
  o: CommonOptions,
  deps: Deps,
  policy: SourceOptions["policy"] = "if-stale",
  /** the scope's stat cache, when the caller has loaded it already */
  statCache?: StatCache,
): Promise<Context> {
  const scope = scopeFor(deps, o.global === true);
  const files = await readProjectFiles(scope);
  return {
    deps,
    scope,
    files,
    store: new ContentStore(cacheDir(deps)),
    pristine: new Map(),
    notes: [],
    statCache: statCache ?? StatCache.load(cacheDir(deps), scope.root),
    registries: new Registries(configuredRegistries(files.manifest), deps, { offline: o.offline === true, policy }),
  };
}

export function rel(ctx: Context, file: string): string {
  return scopeRelative(ctx.scope, file) || ".";
}
