// Plugins that live in another git repository (github, url and git-subdir sources): listed from their
// marketplace entries without fetching anything, and fetched one by one, at one commit, when installed.
import { AgentpkgError } from "../../util/errors.js";
import { dict } from "../../util/json.js";
import { redactCredentials } from "../../util/redact.js";
import { git } from "../../git/run.js";
import { fetchPluginCommit } from "../../store/plugin-checkouts.js";
import type { EntryComponents } from "../../plugin/layout.js";
import { commitVersion, monotonicTimes, normalizeVersion } from "../history/git-versions.js";
import type { IndexedPlugin } from "../index/source-index.js";
import type { PluginContent, VersionInfo } from "../source.js";
import type { ExternalState } from "./marketplace-history.js";
import type { ExternalSource, MarketplacePlugin } from "./marketplace-json.js";
import { readPluginAt } from "./marketplace-plugins.js";

/**
 * An external plugin's versions, one per distinct entry it had in the marketplace's history: the entry's
 * `version`, else its pinned `sha` in agentpkg's commit form (`0.0.0-<when the marketplace pinned it>.<sha7>`),
 * else (a plugin that follows a branch) the marketplace commit in that form. Two states with one label:
 * the newer wins. Each is provisional: the plugin's own plugin.json, read when it is installed, may name
 * its version (Claude Code's order: plugin.json, then the entry, then the commit).
 */
export function externalVersions(states: readonly ExternalState[]): Record<string, VersionInfo> {
  const times = monotonicTimes(states.map((s) => s.time));
  const out = dict<VersionInfo>();
  states.forEach((s, i) => {
    const version = s.version ?? commitVersion(times[i]!, s.source.sha ?? s.commit);
    const origin = { url: s.source.url, ...(s.source.ref ? { ref: s.source.ref } : {}), ...(s.source.sha ? { sha: s.source.sha } : {}) };
    out[version] = { version, path: s.source.path, commit: s.commit, origin, provisional: true };
  });
  return out;
}

/** An external plugin as a listing shows it: from its entry, its parts unknown until it is fetched. */
export function indexExternalPlugin(entry: MarketplacePlugin & { external: ExternalSource }, states: readonly ExternalState[], head: string): IndexedPlugin {
  const known = states.length ? states : [{ source: entry.external, version: entry.version, commit: head, time: 0 }];
  return {
    name: entry.name,
    description: entry.description,
    versions: externalVersions(known),
    tags: dict(),
    deprecated: null,
    root: entry.external.path,
    external: entry.external,
    notes: [],
  };
}

export interface ExternalRead {
  registry: string;
  plugin: string;
  source: Pick<ExternalSource, "url" | "path" | "ref" | "sha">;
  /** a lock's origin commit: read exactly there */
  lockedCommit?: string;
  /** the marketplace entry's own version and components, at the marketplace commit the version is listed at */
  entryVersion?: string;
  entry: EntryComponents;
  cache: string;
  env: NodeJS.ProcessEnv;
  offline: boolean;
}

/**
 * One version of an external plugin: its repository fetched into the cache at one commit (the lock's, else
 * the pinned sha, else the tip of its ref), then only the files under its folder read, as for a plugin of
 * the marketplace itself. An unreachable repository names the plugin (exit 6).
 */
export async function readExternalPlugin(o: ExternalRead): Promise<PluginContent> {
  const { url } = o.source;
  let pin;
  try {
    pin = await fetchPluginCommit(url, { commit: o.lockedCommit ?? o.source.sha, ref: o.source.ref }, o);
  } catch (err) {
    if (err instanceof AgentpkgError && err.code === "E_REGISTRY_UNREACHABLE") {
      throw new AgentpkgError("E_REGISTRY_UNREACHABLE", `${o.registry}: plugin ${o.plugin} comes from ${redactCredentials(url)}, which is unreachable: ${err.message.replace(/^.*unreachable: /, "")}`, {
        cause: err,
        hint: err.hint,
      });
    }
    throw err;
  }
  const content = await readPluginAt(pin.dir, o.env, { registry: o.registry, plugin: o.plugin, commit: pin.commit, root: o.source.path, exclude: [], entry: o.entry });
  content.origin = { url, commit: pin.commit };
  const declared = normalizeVersion(content.pluginJson?.version);
  if (declared) content.version = declared;
  else if (o.entryVersion === undefined && o.source.sha === undefined && !o.lockedCommit) {
    // a plugin that follows a branch and declares no version: the commit read is its version
    const time = Number((await git(["log", "-1", "--format=%ct", pin.commit], { cwd: pin.dir, env: o.env })).trim());
    content.version = commitVersion(time, pin.commit);
  }
  return content;
}
