import fs from "node:fs/promises";
import path from "node:path";
import { cacheDir, type Deps } from "../util/deps.js";
import { lockState } from "../util/process-lock.js";
import { parseAgent } from "../agent/parse.js";
import { listAgentFiles, readAgentFile, readLoadableAgentText } from "../project/agents-dir.js";
import { readProjectFiles } from "../project/state.js";
import { scopeFile, scopeRelative } from "../project/scope.js";
import { inspectPlugins } from "../project/plugin-disk.js";
import { describeTarget, isAgentpkgLeftover, ownedFolders, trackedFiles } from "../project/plugin-state.js";
import { openContext, type CommonOptions, type Context } from "../change/context.js";
import { withProjectLock } from "../apply/project-lock.js";
import { findTemps } from "../apply/housekeeping.js";
import { hasJournal } from "../apply/journal.js";
import { findStaleCacheTemps, removeStaleCacheTemps } from "../store/cache-temps.js";
import { shadowedListing } from "./inspect/list.js";

export type FindingKind =
  | "busy" | "stale-lock" | "journal" | "temp" | "missing" | "modified"
  | "not-installed" | "not-in-manifest" | "backup" | "duplicate-name" | "cache-temp" | "shadowed";

/** problem: something to fix (doctor exits 4); note: worth knowing, nothing wrong (a local edit, a backup). */
export interface Finding {
  kind: FindingKind;
  severity: "problem" | "note";
  message: string;
  file?: string;
  hint?: string;
}

export interface DoctorResult {
  /** what --fix did */
  fixed: string[];
  findings: Finding[];
  healthy: boolean;
}

export interface DoctorOptions extends CommonOptions {
  fix?: boolean;
}

const FIX = "agentpkg doctor --fix";

/**
 * Check a scope for what an interrupted or concurrent run can leave behind, and for disagreements between
 * manifest, lockfile and disk. With --fix: finish an interrupted run (journal), delete leftover temp files
 * and take over a stale lock; local edits are never touched.
 */
export async function runDoctor(o: DoctorOptions, deps: Deps): Promise<DoctorResult> {
  const ctx = await openContext(o, deps);
  const fixed: string[] = [];
  const claudeExists = await fs.stat(ctx.scope.claudeDir).then(() => true, () => false);
  if (o.fix && !o.dryRun && claudeExists) {
    const before = await lockState(ctx.scope.lockDir);
    fixed.push(...(await withProjectLock(ctx, async (tidied) => tidied)));
    if (fixed.length) ctx.files = await readProjectFiles(ctx.scope); // finishing a run rewrote them
    if (before.state === "stale") fixed.unshift(`removed a stale lock left by process ${before.pid ?? "(unknown)"}`);
  }
  if (o.fix && !o.dryRun) {
    const removed = removeStaleCacheTemps(cacheDir(deps));
    if (removed.length) fixed.push(`removed ${removed.length} unfinished clone${removed.length === 1 ? "" : "s"} or temp folder${removed.length === 1 ? "" : "s"} from the cache`);
  }
  const findings = [...(await leftovers(ctx)), ...(await agreement(ctx)), ...pluginAgreement(ctx), ...(await folder(ctx)), ...(await shadowed(ctx))];
  return { fixed, findings, healthy: !findings.some((f) => f.severity === "problem") };
}

async function leftovers(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  const lock = await lockState(ctx.scope.lockDir);
  const busyFile = scopeRelative(ctx.scope, ctx.scope.lockDir);
  if (lock.state === "held") out.push({ kind: "busy", severity: "note", file: busyFile, message: `an agentpkg process (pid ${lock.pid}) is working here right now` });
  if (lock.state === "stale") {
    out.push({ kind: "stale-lock", severity: "problem", file: busyFile, message: `${busyFile} is a lock left by a process that is gone (pid ${lock.pid ?? "unknown"})`, hint: FIX });
  }
  if (lock.state !== "held" && (await hasJournal(ctx.scope))) {
    out.push({ kind: "journal", severity: "problem", file: ".claude/.agentpkg-journal.json", message: "an interrupted run left changes half-applied (.claude/.agentpkg-journal.json)", hint: FIX });
  }
  for (const t of await findTemps(ctx.scope)) {
    if (t.stale) out.push({ kind: "temp", severity: "problem", file: t.file, message: `${t.file} is a temp file left by an interrupted run`, hint: FIX });
  }
  for (const t of findStaleCacheTemps(cacheDir(ctx.deps))) {
    out.push({ kind: "cache-temp", severity: "problem", file: t.path, message: `${t.path} is an unfinished clone or temp folder in the cache, left by process ${t.pid} (gone)`, hint: FIX });
  }
  return out;
}

/** Manifest vs lockfile vs the files on disk. */
async function agreement(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  const { manifest, lock } = ctx.files;
  for (const [name, e] of Object.entries(lock.agents)) {
    const state = await readAgentFile(ctx.scope, e.file).catch((err: Error) => ({ kind: "unreadable" as const, why: err.message }));
    if (state.kind === "unreadable") {
      out.push({ kind: "missing", severity: "problem", file: e.file, message: state.why.replace(/; nothing was changed$/, ""), hint: `move ${e.file} away, then agentpkg install` });
    } else if (state.kind === "missing") {
      out.push({ kind: "missing", severity: "problem", file: e.file, message: `${e.file} (${name} ${e.version}) is locked but missing`, hint: "agentpkg install" });
    } else if (state.sha256 !== e.sha256 && state.sha256 !== e.localSha256) {
      out.push({ kind: "modified", severity: "note", file: e.file, message: `${e.file} has local edits (agentpkg keeps them unless told --force or --merge)` });
    }
    if (!Object.hasOwn(manifest.agents, name)) {
      out.push({ kind: "not-in-manifest", severity: "problem", message: `${name} is in .claude/agentpkg.lock but not in .claude/agentpkg.json`, hint: "agentpkg install" });
    }
  }
  for (const name of Object.keys(manifest.agents)) {
    if (!Object.hasOwn(lock.agents, name)) {
      out.push({ kind: "not-installed", severity: "problem", message: `${name} is in .claude/agentpkg.json but not installed`, hint: "agentpkg install" });
    }
  }
  return out;
}

/** Locked plugins vs the manifest and what is on disk: each file and hook / MCP server entry. */
function pluginAgreement(ctx: Context): Finding[] {
  const out: Finding[] = [];
  const { manifest, lock } = ctx.files;
  let inspected;
  try {
    inspected = inspectPlugins(ctx.scope, lock.plugins, trackedFiles(lock));
  } catch (err) {
    // a folder or device where a plugin file should be: say so, as for agents
    return [{ kind: "missing", severity: "problem", message: (err as Error).message.replace(/; nothing was changed$/, ""), hint: "move it away, then agentpkg install" }];
  }
  for (const w of inspected.warnings) out.push({ kind: "missing", severity: "problem", message: w, hint: "fix the file, then agentpkg install" });
  for (const p of inspected.plugins) {
    for (const t of p.targets) {
      const what = describeTarget(t);
      if (t.state === "missing") out.push({ kind: "missing", severity: "problem", file: t.file, message: `${what} (plugin ${p.name} ${p.lock.version}) is locked but missing`, hint: "agentpkg install" });
      if (t.state === "modified") out.push({ kind: "modified", severity: "note", file: t.file, message: `${what} (plugin ${p.name}) has local edits (agentpkg keeps them unless told --force or --merge)` });
    }
    if (!Object.hasOwn(manifest.plugins, p.name)) {
      out.push({ kind: "not-in-manifest", severity: "problem", message: `plugin ${p.name} is in .claude/agentpkg.lock but not in .claude/agentpkg.json`, hint: "agentpkg install" });
    }
  }
  for (const name of Object.keys(manifest.plugins)) {
    if (!Object.hasOwn(lock.plugins, name)) {
      out.push({ kind: "not-installed", severity: "problem", message: `plugin ${name} is in .claude/agentpkg.json but not installed`, hint: "agentpkg install" });
    }
  }
  return out;
}

/** Which package a file in the agents folder belongs to, for messages: ` (plugin kit)`, ` (agent x)`, or nothing. */
function ownerOf(ctx: Context): (file: string) => string {
  const owners = new Map<string, string>();
  for (const [name, e] of Object.entries(ctx.files.lock.agents)) owners.set(e.file, `agent ${name}`);
  for (const [name, p] of Object.entries(ctx.files.lock.plugins)) for (const f of Object.keys(p.files)) owners.set(f, `plugin ${name}`);
  return (file) => (owners.has(file) ? `${file} (${owners.get(file)})` : file);
}

/** Backups, and agent files that share a name (Claude Code would load an unpredictable one), plugins' agents included. */
async function folder(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  const byName = new Map<string, string[]>();
  for (const file of await listAgentFiles(ctx.scope)) {
    const text = readLoadableAgentText(scopeFile(ctx.scope, file));
    const name = text === undefined ? undefined : parseAgent(text).name;
    if (name) byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  const owned = ownerOf(ctx);
  for (const [name, files] of byName) {
    if (files.length > 1) {
      out.push({ kind: "duplicate-name", severity: "problem", file: files[0], message: `${files.map(owned).join(" and ")} are all named "${name}": Claude Code loads only one of them`, hint: "rename or remove all but one" });
    }
  }
  for (const file of await backups(ctx)) {
    out.push({ kind: "backup", severity: "note", file, message: `${file} is a backup or merge result agentpkg left for you (never loaded by Claude Code)`, hint: `delete it when you no longer need it` });
  }
  return out;
}

/** Agents hidden by one of the same name nearer to Claude Code's start (a note: often meant as an override). */
async function shadowed(ctx: Context): Promise<Finding[]> {
  return (await shadowedListing(ctx)).map((s) => ({
    kind: "shadowed" as const,
    severity: "note" as const,
    file: s.hidden,
    message: `${s.level} agent "${s.name}" (${s.file}) hides the ${s.hiddenLevel} agent of the same name (${s.hidden}): Claude Code loads only ${s.file}`,
    hint: s.level === "project" ? `rename one of them to keep both, or remove ${s.hidden} if the ${s.level} one replaces it` : `rename one of them to keep both`,
  }));
}

/** Backups and conflict files in the agents folder and in the folders plugins have to themselves. */
async function backups(ctx: Context): Promise<string[]> {
  const isBackup = (f: string) => isAgentpkgLeftover(f) && !f.endsWith(".agentpkg-tmp");
  const out = new Set((await fs.readdir(ctx.scope.agentsDir).catch(() => [] as string[])).filter(isBackup).map((f) => `.claude/agents/${f}`));
  const folders = new Set<string>();
  for (const [name, p] of Object.entries(ctx.files.lock.plugins)) {
    const files = Object.entries(p.files).map(([file, f]) => ({ file, kind: f.kind }));
    for (const f of ownedFolders(name, files)) folders.add(f);
    for (const { file } of files) if (!file.includes("#")) folders.add(path.posix.dirname(file)); // agents, output styles: next to their file
  }
  for (const dir of [...folders].sort()) {
    for (const f of await fs.readdir(scopeFile(ctx.scope, dir), { recursive: true }).catch(() => [] as string[])) {
      const rel = `${dir}/${f.split(path.sep).join("/")}`;
      if (isBackup(path.posix.basename(rel))) out.add(rel);
    }
  }
  return [...out].sort();
}
