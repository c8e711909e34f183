// What installed plugins look like on disk now: each locked file's and shared-file entry's state, and the
// files in a plugin's own folders that no lock entry owns. Reads only; never the network.
import { readdirSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { stableJson } from "../util/json.js";
import type { StatCache } from "../store/stat-cache.js";
import { readAgentFile } from "./agents-dir.js";
import type { PluginLock } from "./lock-plugins.js";
import { aggregateState, isAgentpkgLeftover, ownedFolders, targetStates, type FileState, type TargetState } from "./plugin-state.js";
import { scopeFile, type Scope } from "./scope.js";
import { entryValue } from "./shared-json.js";
import { hashTargets, readSharedText, splitTarget } from "./targets.js";

export interface TargetHashes {
  /** sha256 at each target (null: missing) */
  hashes: Map<string, string | null>;
  /** shared files that could not be read (not JSON, not a regular file): their entries count as missing */
  warnings: string[];
}

/**
 * hashTargets, except that a shared file agentpkg cannot read (`.claude/settings.json` that is not JSON)
 * makes its entries missing, with a warning, instead of failing: Claude Code cannot load them either.
 */
export function hashPluginTargets(scope: Scope, targets: Iterable<string>, cache?: StatCache): TargetHashes {
  const files: string[] = [];
  const byHost = new Map<string, string[]>();
  for (const t of targets) {
    const split = splitTarget(t);
    if (!split) files.push(t);
    else byHost.set(split.host, [...(byHost.get(split.host) ?? []), t]);
  }
  const hashes = hashTargets(scope, files, cache);
  const warnings: string[] = [];
  for (const [host, entries] of byHost) {
    try {
      for (const [k, v] of hashTargets(scope, entries, cache)) if (k !== host) hashes.set(k, v);
    } catch (err) {
      if (!(err instanceof AgentpkgError)) throw err;
      warnings.push(`${err.message.replace(/; nothing was changed$/, "")}: the plugin entries in it count as missing`);
      for (const e of entries) hashes.set(e, null);
    }
  }
  return { hashes, warnings };
}

/** The bytes at a target now (an entry's: its canonical JSON, as the lock hashed it); null when missing. */
export async function readTarget(scope: Scope, target: string): Promise<Buffer | null> {
  const split = splitTarget(target);
  if (split) {
    const value = entryValue(readSharedText(scope, split.host), split.host, split.key);
    return value === undefined ? null : Buffer.from(stableJson(value));
  }
  const f = await readAgentFile(scope, target);
  return f.kind === "present" ? f.content : null;
}

const MAX_DEPTH = 16;

/** Every file below `folder` (relative to the scope root), symlinks listed but never followed. */
function filesBelow(scope: Scope, folder: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(scopeFile(scope, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) walk(child, depth + 1);
      } else out.push(child);
    }
  };
  walk(folder, 0);
  return out;
}

/**
 * Files in the folders a plugin has to itself (see ownedFolders) that no lock entry owns, sorted; what
 * agentpkg leaves there on purpose (backups, conflicts, temp files) is not counted.
 */
export function untrackedIn(scope: Scope, folders: readonly string[], tracked: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const folder of folders) {
    for (const f of filesBelow(scope, folder)) if (!tracked.has(f) && !isAgentpkgLeftover(path.posix.basename(f))) out.add(f);
  }
  return [...out].sort();
}

export interface InspectedPlugin {
  name: string;
  lock: PluginLock;
  /** every locked target, with its state */
  targets: TargetState[];
  state: FileState;
  /** files in its own folders no lock entry owns */
  untracked: string[];
}

/**
 * Every locked plugin as it is on disk, sorted by name. `tracked` is every file any lock entry owns (agents'
 * and plugins'), so a folder two plugins share reports a stray file once, under the first.
 */
export function inspectPlugins(scope: Scope, plugins: Readonly<Record<string, PluginLock>>, tracked: ReadonlySet<string>, cache?: StatCache): { plugins: InspectedPlugin[]; warnings: string[] } {
  const names = Object.keys(plugins).sort();
  const { hashes, warnings } = hashPluginTargets(scope, names.flatMap((n) => Object.keys(plugins[n]!.files)), cache);
  const walked = new Set<string>();
  const out = names.map((name): InspectedPlugin => {
    const lock = plugins[name]!;
    const targets = targetStates(lock, hashes);
    const folders = ownedFolders(name, targets).filter((f) => !walked.has(f));
    for (const f of folders) walked.add(f);
    return { name, lock, targets, state: aggregateState(targets.map((t) => t.state)), untracked: untrackedIn(scope, folders, tracked) };
  });
  return { plugins: out, warnings };
}
