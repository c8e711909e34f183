// `agentpkg audit [NAME...]`: what is risky in the installed agents and plugin parts (audit/audit.ts has the
// rules). Read-only and offline: it reads the lock and the files (and settings entries) as they are on disk,
// which is what Claude Code loads, edited or not.
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import { parseAgent } from "../agent/parse.js";
import { auditSubject, byPlace, fileSubject, type AgentName, type AuditSubject, type Finding } from "../audit/audit.js";
import { findAgentFiles, listAgentFiles } from "../project/agents-dir.js";
import { lockedFiles, type LockedFile } from "../project/lockfile.js";
import { displayPath, scopeFor, scopeFile, scopeRelative, type Scope } from "../project/scope.js";
import { entryValue, listEntries } from "../project/shared-json.js";
import { readProjectFiles } from "../project/state.js";
import { readSharedText, splitTarget } from "../project/targets.js";

export interface AuditOptions {
  /** packages (agents or plugins) of the lock; none: all of them */
  names: string[];
  /** also what agentpkg did not install: every agent, command, skill, output style, hook and MCP server */
  all: boolean;
  global?: boolean;
}

export interface AuditedFinding extends Finding {
  /** the package it belongs to; absent for what agentpkg did not install (--all) */
  package?: string;
}

export interface AuditResult {
  findings: AuditedFinding[];
  /** files and settings entries looked at */
  audited: number;
  /** of which settings entries (hook groups and MCP servers) */
  entries: number;
  /** the packages audited (sorted) */
  packages: string[];
  all: boolean;
  /** locked files and entries that could not be audited, and why */
  skipped: { file: string; reason: string }[];
}

/** Larger files are not read (Claude Code skips agent files over 1 MiB; scripts this size are not written by hand). */
const MAX_AUDIT_BYTES = 4 * 1024 * 1024;
/** Files of untracked folders (skills) looked at, at most. */
const MAX_UNTRACKED = 5000;

const SHARED_HOSTS = [".claude/settings.json", ".mcp.json"];

interface Item {
  subject: AuditSubject;
  package?: string;
}

type Read = { ok: true; data: Buffer } | { ok: false; reason: string };

function readForAudit(scope: Scope, rel: string): Read {
  const r = tryReadRegularFile(scopeFile(scope, rel), { limit: MAX_AUDIT_BYTES });
  if (r.ok) return r;
  const reason = {
    missing: "missing (agentpkg sync restores it)",
    "too-large": `over ${MAX_AUDIT_BYTES / 1024 / 1024} MiB, not read`,
    folder: "a folder, not a file",
    special: "not a regular file (a device, pipe or socket), not read",
    symlink: "a symbolic link that cannot be followed",
  }[r.kind];
  return { ok: false, reason };
}

export async function runAudit(o: AuditOptions, deps: Pick<Deps, "cwd" | "home" | "env">): Promise<AuditResult> {
  if (o.all && o.names.length) throw new AgentpkgError("E_USAGE", "audit --all looks at everything: name no packages with it");
  const scope = scopeFor(deps, o.global === true);
  const project = await readProjectFiles(scope);
  if (!o.all && project.manifestText === undefined && project.lockText === undefined) {
    throw new AgentpkgError("E_NOT_FOUND", `nothing to audit: no ${scope.global ? displayPath(scope, scope.lockPath, deps.home) : ".claude/agentpkg.lock here or above"}`, {
      hint: "agentpkg audit --all looks at every agent, command, skill, hook and MCP server in .claude, installed by agentpkg or not",
    });
  }
  const lock = project.lock;
  for (const name of o.names) {
    if (!Object.hasOwn(lock.agents, name) && !Object.hasOwn(lock.plugins, name)) {
      throw new AgentpkgError("E_NOT_FOUND", `${name} is not installed (not in .claude/agentpkg.lock)`, { hint: "agentpkg list shows what is installed" });
    }
  }
  const locked = lockedFiles(lock, scopeRelative(scope, scope.lockPath) || scope.lockPath);
  const selected = [...locked.values()].filter((f) => o.names.length === 0 || o.names.includes(f.name));
  const skipped: AuditResult["skipped"] = [];
  const hosts = new Map<string, string | undefined>();
  const hostText = (host: string) => {
    if (!hosts.has(host)) hosts.set(host, readSharedText(scope, host));
    return hosts.get(host);
  };

  const items: Item[] = [];
  // a plugin's own copy of a file that is also one of its parts is audited once, as the part
  const parts = new Set(selected.filter((f) => f.kind !== "file").map((f) => `${f.name}\0${f.path}`));
  for (const f of selected) {
    if (f.kind === "file" && parts.has(`${f.name}\0${f.path}`)) continue;
    const item = lockedItem(scope, f, hostText, skipped);
    if (item) items.push(item);
  }
  if (o.all) items.push(...(await untrackedItems(scope, locked, hostText)));

  const agents = await agentNames(scope, items);
  const findings = items.flatMap((it) => auditSubject(it.subject, { agents }).map((f): AuditedFinding => (it.package === undefined ? f : { ...f, package: it.package })));
  return {
    findings: findings.sort(byPlace),
    audited: items.length,
    entries: items.filter((it) => it.subject.kind === "hook" || it.subject.kind === "mcp").length,
    packages: [...new Set(selected.map((f) => f.name))].sort(),
    all: o.all,
    skipped,
  };
}

function lockedItem(scope: Scope, f: LockedFile, hostText: (host: string) => string | undefined, skipped: AuditResult["skipped"]): Item | undefined {
  const target = splitTarget(f.file);
  if (target) {
    const value = entryValue(hostText(target.host), target.host, target.key);
    if (value === undefined) {
      skipped.push({ file: f.file, reason: "missing (agentpkg sync restores it)" });
      return undefined;
    }
    return { subject: entrySubject(target.host, target.key, value, hostText(target.host)), package: f.name };
  }
  const r = readForAudit(scope, f.file);
  if (!r.ok) {
    skipped.push({ file: f.file, reason: r.reason });
    return undefined;
  }
  const subject = fileSubject(f.file, f.kind, r.data);
  return subject && { subject, package: f.name };
}

function entrySubject(host: string, key: readonly string[], value: unknown, text: string | undefined): AuditSubject {
  const entry = key.join("/");
  const name = key[1] ?? "";
  const hostText = text === undefined ? {} : { hostText: text };
  return key[0] === "hooks" ? { kind: "hook", file: host, entry, event: name, value, ...hostText } : { kind: "mcp", file: host, entry, server: name, value, ...hostText };
}

/** --all: every agent, command, skill file, output style, hook group and MCP server the lock does not list. */
async function untrackedItems(scope: Scope, locked: ReadonlyMap<string, LockedFile>, hostText: (host: string) => string | undefined): Promise<Item[]> {
  const items: Item[] = [];
  const rel = (abs: string) => scopeRelative(scope, abs);
  const folders: [string, string, boolean][] = [
    ["agents", "agent", false],
    ["commands", "command", false],
    ["output-styles", "output-style", false],
    ["skills", "skill", true],
  ];
  let count = 0;
  for (const [folder, kind, all] of folders) {
    const found = folder === "agents" ? (await listAgentFiles(scope)).map((f) => scopeFile(scope, f)) : (await findAgentFiles(path.join(scope.claudeDir, folder), { sizes: false, all })).map((f) => f.abs);
    for (const abs of found) {
      const file = rel(abs);
      if (locked.has(file) || ++count > MAX_UNTRACKED) continue;
      const r = readForAudit(scope, file);
      const subject = r.ok ? fileSubject(file, kind, r.data) : undefined;
      if (subject) items.push({ subject });
    }
  }
  for (const host of SHARED_HOSTS) {
    const text = hostText(host);
    for (const { key, value } of listEntries(text, host)) {
      if (!locked.has(`${host}#${key.join("/")}`)) items.push({ subject: entrySubject(host, key, value, text) });
    }
  }
  return items;
}

/** The name field of every agent file in the scope (audited or not): names must not pass for one another. */
async function agentNames(scope: Scope, items: readonly Item[]): Promise<AgentName[]> {
  const texts = new Map<string, string>();
  for (const { subject: s } of items) if (s.kind === "agent") texts.set(s.file, s.text);
  const out: AgentName[] = [];
  for (const file of await listAgentFiles(scope)) {
    let text = texts.get(file);
    if (text === undefined) {
      const r = tryReadRegularFile(scopeFile(scope, file), { limit: MAX_AUDIT_BYTES });
      text = r.ok ? r.data.toString("utf8") : undefined;
    }
    const name = text === undefined ? undefined : parseAgent(text).name;
    if (name !== undefined) out.push({ name, file });
  }
  return out;
}
