import { semver } from "../util/semver.js";
import { AgentpkgError } from "../util/errors.js";
import { cacheDir, type Deps } from "../util/deps.js";
import { displayPath, type Scope } from "../project/scope.js";
import { readProjectFiles } from "../project/state.js";
import { hashAgentFiles, listAgentFiles } from "../project/agents-dir.js";
import { ContentStore } from "../store/cas.js";
import type { StatCache } from "../store/stat-cache.js";
import { splitTarget } from "../project/targets.js";
import { hashPluginTargets } from "../project/plugin-disk.js";
import { describeTarget, trackedFiles } from "../project/plugin-state.js";
import type { Lockfile } from "../project/lockfile.js";
import type { Dependency, Manifest } from "../project/manifest.js";
import type { CommonOptions } from "../change/context.js";

export type ProblemKind = "modified" | "outdated" | "missing" | "not-locked" | "not-in-manifest" | "range" | "registry" | "parts" | "signature";

export interface Problem {
  kind: ProblemKind;
  /** the package's name: an agent's, or a plugin's */
  name: string;
  type: "agent" | "plugin";
  /** the agent file (or the plugin's file or hook / MCP server entry), for modified / missing */
  file?: string;
  message: string;
  /** the command that repairs it */
  fix: string;
}

export interface VerifyResult {
  ok: boolean;
  /** manifest agents whose lock entry and file were checked */
  checked: number;
  problems: Problem[];
  /** agent files agentpkg did not install: reported, never a failure (teams keep hand-written agents) */
  untracked: string[];
  /** manifest plugins whose lock entry and files were checked */
  checkedPlugins: number;
  /** shared files that could not be read (their plugin entries are reported missing) */
  warnings: string[];
  /** --signatures: locked packages of signed registries whose signatures were checked */
  checkedSignatures?: number;
}

export interface CheckInput {
  manifest: Manifest;
  lock: Lockfile;
  /** sha256 of each locked file by its path relative to the scope root; null when missing */
  disk: ReadonlyMap<string, string | null>;
  /** sha256 of content agentpkg installed before (an earlier version: the lock moved on, nothing was edited) */
  installedBefore?: (sha256: string) => boolean;
}

/** A file that differs from the lock: an earlier version agentpkg installed (outdated), or an edit. */
function differs(c: CheckInput, name: string, file: string, what: string, modified: string): Omit<Problem, "type"> {
  const sha = c.disk.get(file)!;
  if (c.installedBefore?.(sha)) return { kind: "outdated", name, file, message: `${what} holds an earlier version than the lockfile's`, fix: FIX_OUTDATED };
  return { kind: "modified", name, file, message: `${what} ${modified}`, fix: FIX_MODIFIED };
}

const FIX_MISSING = "agentpkg sync";
const FIX_MODIFIED = "agentpkg sync --force (restores the locked file, saving yours as .orig)";
const FIX_OUTDATED = "agentpkg install (brings it to the locked version)";
const FIX_LOCK = "agentpkg install, then commit .claude/agentpkg.lock";

const inRange = (version: string, range: string): boolean => !semver.isValidRange(range) || semver.satisfies(version, range, { includePrerelease: true });

/** Pure: every way disk, lock and manifest disagree, sorted by package name. */
export function checkProject(input: CheckInput): Problem[] {
  const problems = [...checkAgents(input), ...checkPlugins(input)];
  return problems.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/**
 * What agents and plugins share: each manifest entry is locked, from the registry it pins, at a version in
 * its range (then `more` checks the rest of it); every lock entry is still in the manifest.
 */
function checkPins<E extends { registry: string; version: string }>(
  wanted: Record<string, Dependency>,
  locked: Record<string, E>,
  label: (name: string) => string,
  push: (p: Omit<Problem, "type">) => void,
  more: (name: string, dep: Dependency, entry: E) => void,
): void {
  for (const [name, dep] of Object.entries(wanted)) {
    const entry = Object.hasOwn(locked, name) ? locked[name] : undefined;
    if (!entry) {
      push({ kind: "not-locked", name, message: `${label(name)}: in the manifest but not in the lockfile`, fix: FIX_LOCK });
      continue;
    }
    if (dep.registry && dep.registry !== entry.registry) {
      push({ kind: "registry", name, message: `${label(name)}: locked from registry "${entry.registry}" but the manifest pins "${dep.registry}"`, fix: FIX_LOCK });
    }
    if (!inRange(entry.version, dep.range)) {
      push({ kind: "range", name, message: `${label(name)}: locked version ${entry.version} does not satisfy "${dep.range}"`, fix: FIX_LOCK });
    }
    more(name, dep, entry);
  }
  for (const name of Object.keys(locked)) {
    if (!Object.hasOwn(wanted, name)) {
      push({ kind: "not-in-manifest", name, message: `${label(name)}: in the lockfile but not in the manifest`, fix: "agentpkg sync (removes it)" });
    }
  }
}

function checkAgents(c: CheckInput): Problem[] {
  const problems: Problem[] = [];
  const push = (p: Omit<Problem, "type">) => problems.push({ ...p, type: "agent" });
  checkPins(c.manifest.agents, c.lock.agents, (name) => name, push, (name, _dep, entry) => {
    const actual = c.disk.get(entry.file) ?? null;
    if (actual === null) push({ kind: "missing", name, file: entry.file, message: `${entry.file} is missing`, fix: FIX_MISSING });
    else if (actual !== entry.sha256 && actual !== entry.localSha256) {
      push(differs(c, name, entry.file, entry.file, "was modified (its sha256 differs from the lockfile's)"));
    }
  });
  return problems;
}

const sorted = (parts: readonly string[] | undefined) => [...(parts ?? [])].sort().join("\n");
const partsText = (parts: readonly string[] | undefined) => (parts ? `only the parts ${parts.join(", ")}` : "the whole plugin");

/** A plugin as the manifest asks: locked, from the pinned registry, in range, with the parts it names; every file and entry as written. */
function checkPlugins(c: CheckInput): Problem[] {
  const problems: Problem[] = [];
  const push = (p: Omit<Problem, "type">) => problems.push({ ...p, type: "plugin" });
  checkPins(c.manifest.plugins, c.lock.plugins, (name) => `plugin ${name}`, push, (name, dep, entry) => {
    if (sorted(entry.parts) !== sorted(dep.parts)) {
      push({ kind: "parts", name, message: `plugin ${name}: the manifest asks for ${partsText(dep.parts)} but the lockfile has ${partsText(entry.parts)}`, fix: FIX_LOCK });
    }
    for (const file of Object.keys(entry.files).sort()) {
      const f = entry.files[file]!;
      const what = describeTarget({ file, kind: f.kind, part: f.part });
      const actual = c.disk.get(file) ?? null;
      if (actual === null) push({ kind: "missing", name, file, message: `${what} (plugin ${name}) is missing`, fix: FIX_MISSING });
      else if (actual !== f.sha256 && actual !== f.localSha256) {
        const how = f.kind === "mcp" ? "was changed (it differs from what the plugin installed)" : "was modified (its sha256 differs from the lockfile's)";
        push(differs(c, name, file, `${what} (plugin ${name})`, how));
      }
    }
  });
  return problems;
}

export type VerifyOptions = Pick<CommonOptions, "global"> & {
  signatures?: boolean;
  /** the running agentpkg's version: an outcome remembered by another version (other checks) is not reused */
  agentpkgVersion?: string;
};

/**
 * The whole check (verify.ts tries the remembered outcome first): parse the manifest and lock, hash every
 * locked file through the stat cache, compare; `signatures` also checks signatures. A run that found nothing
 * wrong is remembered under `inputs` (undefined: the manifest or lock may still change unseen).
 */
export async function fullVerify(o: VerifyOptions, deps: Pick<Deps, "cwd" | "home" | "env">, scope: Scope, statCache: StatCache, inputs: string | undefined): Promise<VerifyResult> {
  const files = await readProjectFiles(scope);
  if (files.manifestText === undefined && files.lockText === undefined) {
    throw new AgentpkgError("E_NOT_FOUND", `nothing to verify: no ${scope.global ? `${displayPath(scope, scope.manifestPath, deps.home)} or agentpkg.lock` : ".claude/agentpkg.json or agentpkg.lock here or above"}`, {
      hint: scope.global ? "agentpkg init --global" : "run verify in the project root, or start one with agentpkg init",
    });
  }
  const { manifest, lock } = files;
  const tracked = trackedFiles(lock);
  const locked = Object.entries(lock.agents).filter(([name]) => Object.hasOwn(manifest.agents, name)).map(([, e]) => e.file);
  const plugins = Object.keys(lock.plugins).filter((name) => Object.hasOwn(manifest.plugins, name));
  const disk = hashAgentFiles(scope, locked, statCache);
  const pluginTargets = plugins.flatMap((name) => Object.keys(lock.plugins[name]!.files));
  const targets = hashPluginTargets(scope, pluginTargets, statCache);
  for (const [file, sha] of targets.hashes) disk.set(file, sha);
  const untracked = (await listAgentFiles(scope)).filter((f) => !tracked.has(f));
  const store = new ContentStore(cacheDir(deps));
  const problems: Problem[] = checkProject({ manifest, lock, disk, installedBefore: (sha) => store.hasSync(sha) });
  if (inputs !== undefined && problems.length === 0 && targets.warnings.length === 0) {
    statCache.rememberUnchanged("verify", inputs, statFiles(disk.keys(), pluginTargets), [locked.length, plugins.length]);
  }
  statCache.save();
  const signed = o.signatures ? await (await import("./verify-signatures.js")).verifySignatures(manifest, lock, deps) : undefined;
  if (signed) problems.push(...signed.problems);
  const result = { ok: problems.length === 0, checked: locked.length, problems, untracked, checkedPlugins: plugins.length, warnings: targets.warnings };
  return signed ? { ...result, checkedSignatures: signed.checked } : result;
}

/** The files whose stats stand for what verify hashed: plain files, and the shared files holding plugin entries. */
export function statFiles(hashed: Iterable<string>, pluginTargets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of [...hashed, ...pluginTargets]) out.add(splitTarget(f)?.host ?? f);
  return [...out].sort();
}
