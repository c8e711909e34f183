// `agentpkg publish FILE --registry DIR_OR_URL`: add one immutable version to a registry (file +
// registry.json + commit + tag, pushed when remote). `yank` and `deprecate` use the same commit flow.
import fs from "node:fs/promises";
import path from "node:path";
import { semver } from "../util/semver.js";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { refusal, tryReadRegularFile } from "../util/safe-read.js";
import { isValidAgentName } from "../util/names.js";
import { parseAgent, MAX_AGENT_BYTES, type AgentProblem } from "../agent/parse.js";
import { latestVersion } from "../sources/resolve.js";
import type { AgentEntry } from "../sources/source.js";
import { parseAgentEntry } from "../sources/git-registry/registry-json.js";
import { commitChange, tagExists, withRegistryRepo, type RegistryRepo } from "./registry-repo.js";
import { withRegistryJsonFile, type RegistryJsonFile } from "./registry-json-file.js";
import { agentIndexChange } from "./registry-shards.js";

export type Bump = "patch" | "minor" | "major";

export interface PublishOptions {
  file: string;
  registry: string;
  version?: string;
  bump?: Bump;
  changelog?: string;
  /** a dist-tag to point at this version instead of `latest` (like npm publish --tag) */
  tag?: string;
  allowOlder?: boolean;
  dryRun?: boolean;
}

export interface PublishResult {
  name: string;
  version: string;
  registry: string;
  path: string;
  sha256: string;
  /** dist-tags that now point at this version */
  tags: string[];
  /** files of the registry's sharded index written with it (none: the registry has no index/) */
  index: string[];
  commit: string | null;
  gitTag: string;
  pushed: boolean;
  /** the commit carries a signature (the publisher's git signs: commit.gpgSign, gpg.format, user.signingKey) */
  signed?: boolean;
  dryRun: boolean;
  warnings: AgentProblem[];
}

/** Refuse what Claude Code would not load (the validator's message); return the warnings. */
async function readAgentToPublish(file: string, cwd: string): Promise<{ name: string; content: Buffer; description: string; warnings: AgentProblem[] }> {
  const abs = path.resolve(cwd, file);
  const r = tryReadRegularFile(abs, { limit: MAX_AGENT_BYTES });
  if (!r.ok && r.kind === "missing") throw new AgentpkgError("E_NOT_FOUND", `${file}: no such file`);
  if (!r.ok && r.kind === "too-large") throw new AgentpkgError("E_AGENT_INVALID", `${file} is ${r.size} bytes; Claude Code skips agent files over 1 MiB`);
  if (!r.ok) throw refusal(r, MAX_AGENT_BYTES, { display: file, what: "an agent file", hint: "publish a regular .md file" });
  const content = r.data;
  const parsed = parseAgent(content.toString("utf8"));
  const errors = parsed.problems.filter((p) => p.severity === "error");
  if (errors.length || parsed.name === undefined || parsed.description === undefined) {
    const first = errors[0];
    throw new AgentpkgError("E_AGENT_INVALID", `${file}${first?.line ? `:${first.line}` : ""}: ${first?.message ?? "not a loadable agent"}`, {
      hint: `Claude Code would not load this agent; see agentpkg validate ${file}`,
      details: errors.slice(1).map((e) => `${file}${e.line ? `:${e.line}` : ""}: ${e.message}`),
    });
  }
  if (!isValidAgentName(parsed.name)) {
    throw new AgentpkgError("E_AGENT_INVALID", `${file}: name ${JSON.stringify(parsed.name)} cannot be published: registry names use letters, digits, '-', '_' or '.'`, {
      hint: "rename the agent (the name field), e.g. to lowercase words joined by hyphens",
    });
  }
  return { name: parsed.name, content, description: parsed.description, warnings: parsed.problems.filter((p) => p.severity === "warning") };
}

/** The version to publish: --version, --bump from the highest published one, or 1.0.0 for a new agent. */
export function chooseVersion(existing: string[], o: { version?: string; bump?: Bump; name: string }): string {
  if (o.version !== undefined && o.bump !== undefined) throw new AgentpkgError("E_USAGE", "use either --version or --bump, not both");
  const highest = existing.filter((v) => semver.valid(v)).sort(semver.rcompare)[0];
  if (o.version !== undefined) {
    const clean = semver.valid(o.version) ? semver.clean(o.version) : null;
    if (!clean || clean !== o.version) {
      throw new AgentpkgError("E_USAGE", `invalid version "${o.version}"`, { hint: clean ? `--version ${clean}` : "use a semver version such as 1.2.0" });
    }
    return clean;
  }
  if (o.bump !== undefined) return semver.inc(highest ?? "0.0.0", o.bump)!;
  if (highest === undefined) return "1.0.0";
  throw new AgentpkgError("E_USAGE", `${o.name} already has versions up to ${highest}: say which version this is`, {
    hint: `--bump patch (${semver.inc(highest, "patch")}), --bump minor (${semver.inc(highest, "minor")}) or --version X`,
  });
}

/** A one-line summary of an agent description for registry listings. */
export function summarize(description: string): string {
  let s = description.split(/<example>|\n\s*\n|\bExamples?:/i)[0]!.replace(/\s+/g, " ").trim();
  if (!s) s = description.replace(/\s+/g, " ").trim();
  if (s.length <= 200) return s;
  const cut = s.slice(0, 199);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 120)).trimEnd()}…`;
}

/** Insert `key` keeping the object's order: sorted position when the keys are sorted, else at the end. */
export function insertKey<T>(obj: Record<string, T>, key: string, value: T, compare: (a: string, b: string) => number): Record<string, T> {
  const keys = Object.keys(obj);
  const sorted = keys.every((k, i) => i === 0 || compare(keys[i - 1]!, k) <= 0);
  const at = sorted ? keys.findIndex((k) => compare(key, k) < 0) : -1;
  const entries = Object.entries(obj);
  entries.splice(at < 0 ? entries.length : at, 0, [key, value]);
  return Object.fromEntries(entries);
}

type RawAgent = Record<string, unknown> & { versions: Record<string, unknown>; tags: Record<string, string> };

/** The agent's raw registry.json entry, created when new (key order of DESIGN.md §3). */
function rawAgent(raw: Record<string, unknown> | undefined, description: string): RawAgent {
  const a = raw ?? { description, versions: {}, tags: {}, deprecated: null };
  a.versions ??= {};
  a.tags ??= {};
  return a as RawAgent;
}

export async function runPublish(o: PublishOptions, deps: Deps): Promise<PublishResult> {
  const agent = await readAgentToPublish(o.file, deps.cwd);
  const { name } = agent;
  if (o.tag !== undefined && (!/^[a-z][a-z0-9-]*$/.test(o.tag) || semver.isValidRange(o.tag))) {
    throw new AgentpkgError("E_USAGE", `invalid tag "${o.tag}"`, { hint: "tags are lowercase words such as next or beta" });
  }
  return withRegistryRepo(o.registry, deps, (repo) => withRegistryJsonFile(repo, async (reg) => {
    const raw = reg.entry(name);
    const entry: AgentEntry | undefined = raw === undefined ? undefined : parseAgentEntry(name, raw, repo.label);
    const existing = Object.keys(entry?.versions ?? {});
    const version = chooseVersion(existing, { version: o.version, bump: o.bump, name });
    const rel = `agents/${name}/${version}.md`;
    const gitTag = `${name}@${version}`;
    if (existing.includes(version) || (await fs.lstat(path.join(repo.dir, rel)).then(() => true, () => false)) || (await tagExists(repo, gitTag))) {
      throw new AgentpkgError("E_EXISTS", `${name}@${version} is already published in ${repo.label}; published versions are immutable`, {
        hint: `publish a new version: --bump patch${existing.length ? ` (latest is ${existing.sort(semver.rcompare)[0]})` : ""}`,
      });
    }
    const highest = existing.sort(semver.rcompare)[0];
    if (highest && semver.lt(version, highest) && !o.allowOlder) {
      throw new AgentpkgError("E_USAGE", `${name}@${version} is lower than the highest published version ${highest}`, {
        hint: "pass --allow-older to publish a fix for an older line anyway",
      });
    }
    const prerelease = semver.prerelease(version) !== null;
    const current = entry ? latestVersion(entry) : undefined;
    const tags = o.tag !== undefined ? [o.tag] : !prerelease && (!current || semver.gt(version, current)) ? ["latest"] : [];
    const a = rawAgent(raw, summarize(agent.description));
    const digest = sha256(agent.content);
    a.versions = insertKey(a.versions, version, { path: rel, sha256: digest, ...(o.changelog ? { changelog: o.changelog } : {}) }, semver.compare);
    for (const t of tags) a.tags[t] = version;
    if (tags.includes("latest")) a.description = summarize(agent.description);
    const agents = reg.count + (raw === undefined ? 1 : 0);
    const index = await agentIndexChange(repo, { name, entry: a, agents }, new Map([[rel, agent.content]]));
    const base: PublishResult = { name, version, registry: repo.label, path: rel, sha256: digest, tags, index: index.writes.map((w) => w.path), commit: null, gitTag, pushed: false, dryRun: o.dryRun === true, warnings: agent.warnings };
    if (o.dryRun) return base;
    const done = await commitChange(repo, {
      writes: [{ path: rel, content: agent.content }, { path: "registry.json", content: reg.withEntry(name, a) }, ...index.writes],
      expectBlobs: index.blobs,
      message: `publish ${gitTag}`,
      tag: gitTag,
    });
    return { ...base, ...done };
  }));
}

export interface YankOptions {
  spec: string;
  registry: string;
  reason?: string;
  undo?: boolean;
  dryRun?: boolean;
}

export interface RegistryEditResult {
  name: string;
  version?: string;
  registry: string;
  /** false when the registry already said so (nothing committed) */
  changed: boolean;
  tags: Record<string, string>;
  commit: string | null;
  pushed: boolean;
  dryRun: boolean;
}

function knownAgent(reg: RegistryJsonFile, name: string, label: string): RawAgent {
  const a = reg.entry(name);
  if (a === undefined) throw new AgentpkgError("E_NOT_FOUND", `agent "${name}" is not in ${label}`);
  a.tags ??= {};
  return a as RawAgent;
}

/** Newest stable, non-yanked version, ignoring the tag itself. */
function newestStable(versions: Record<string, unknown>): string | undefined {
  return Object.entries(versions)
    .filter(([v, info]) => semver.prerelease(v) === null && !(info as { yanked?: unknown }).yanked)
    .map(([v]) => v)
    .sort(semver.rcompare)[0];
}

/** yank NAME@VERSION: new installs never resolve it (lockfiles may keep it); `latest` moves off it. */
export async function runYank(o: YankOptions, deps: Deps): Promise<RegistryEditResult> {
  const at = o.spec.lastIndexOf("@");
  const name = at > 0 ? o.spec.slice(0, at) : o.spec;
  const version = at > 0 ? o.spec.slice(at + 1) : "";
  if (!isValidAgentName(name) || !semver.valid(version)) throw new AgentpkgError("E_USAGE", `expected NAME@VERSION, got "${o.spec}"`, { hint: "agentpkg yank my-agent@1.2.0" });
  return withRegistryRepo(o.registry, deps, (repo) => withRegistryJsonFile(repo, async (reg) => {
    const a = knownAgent(reg, name, repo.label);
    const info = a.versions[version] as Record<string, unknown> | undefined;
    if (!info) throw new AgentpkgError("E_NOT_FOUND", `${name}@${version} is not published in ${repo.label}`, { hint: `published: ${Object.keys(a.versions).join(", ")}` });
    const before = JSON.stringify(a);
    if (o.undo) delete info.yanked;
    else info.yanked = o.reason?.trim() || info.yanked || "yanked";
    const latest = a.tags.latest;
    if (!o.undo && latest === version) {
      const next = newestStable(a.versions);
      if (next) a.tags.latest = next;
      else delete a.tags.latest;
    } else if (o.undo && semver.prerelease(version) === null && (!latest || semver.gt(version, latest))) a.tags.latest = version;
    return finish(repo, reg, a, { name, version, changed: JSON.stringify(a) !== before, dryRun: o.dryRun === true, message: `${o.undo ? "unyank" : "yank"} ${name}@${version}`, tags: a.tags });
  }));
}

export interface DeprecateOptions {
  name: string;
  registry: string;
  message?: string;
  undo?: boolean;
  dryRun?: boolean;
}

/** deprecate NAME: a message shown to anyone installing it; `--undo` clears it. */
export async function runDeprecate(o: DeprecateOptions, deps: Deps): Promise<RegistryEditResult> {
  if (!o.undo && !o.message?.trim()) throw new AgentpkgError("E_USAGE", "deprecate needs --message", { hint: `agentpkg deprecate ${o.name} --message "use new-agent instead"` });
  return withRegistryRepo(o.registry, deps, (repo) => withRegistryJsonFile(repo, async (reg) => {
    const a = knownAgent(reg, o.name, repo.label);
    const next = o.undo ? null : o.message!.trim();
    const changed = (a.deprecated ?? null) !== next;
    if (changed) a.deprecated = next;
    return finish(repo, reg, a, { name: o.name, changed, dryRun: o.dryRun === true, message: `${o.undo ? "undeprecate" : "deprecate"} ${o.name}`, tags: a.tags });
  }));
}

async function finish(
  repo: RegistryRepo,
  reg: RegistryJsonFile,
  entry: RawAgent,
  r: { name: string; version?: string; changed: boolean; dryRun: boolean; message: string; tags: Record<string, string> },
): Promise<RegistryEditResult> {
  const base: RegistryEditResult = { name: r.name, ...(r.version ? { version: r.version } : {}), registry: repo.label, changed: r.changed, tags: { ...r.tags }, commit: null, pushed: false, dryRun: r.dryRun };
  if (!r.changed || r.dryRun) return base;
  const index = await agentIndexChange(repo, { name: r.name, entry, agents: reg.count });
  const done = await commitChange(repo, { writes: [{ path: "registry.json", content: reg.withEntry(r.name, entry) }, ...index.writes], message: r.message });
  return { ...base, ...done };
}
