// The state of an installed plugin, file by file and as a whole, from what the lock says was written and
// what is there now (pure: callers hash the files and shared-file entries).
import type { PartKind, PluginLock } from "./lock-plugins.js";
import type { Lockfile } from "./lockfile.js";

/** ok: as written; modified: edited; merged: the clean merge the lock records; missing: gone (or a hook group edited away). */
export type FileState = "ok" | "modified" | "merged" | "missing";

/** A locked file (or shared-file entry) of a plugin and its state now. */
export interface TargetState {
  file: string;
  kind: PartKind;
  part: string;
  state: FileState;
}

/** `actual` is the sha256 at the target now (null: missing); an entry's is that of its canonical JSON. */
export function fileState(actual: string | null | undefined, locked: { sha256: string; localSha256?: string }): FileState {
  if (actual === null || actual === undefined) return "missing";
  if (actual === locked.sha256) return "ok";
  return actual === locked.localSha256 ? "merged" : "modified";
}

const SEVERITY: Record<FileState, number> = { ok: 0, merged: 1, modified: 2, missing: 3 };

/** A plugin's state is that of its worst file: missing, then modified, then merged, else ok. */
export function aggregateState(states: Iterable<FileState>): FileState {
  let worst: FileState = "ok";
  for (const s of states) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** Every target of a locked plugin with its state, sorted by file. */
export function targetStates(p: PluginLock, disk: ReadonlyMap<string, string | null>): TargetState[] {
  return Object.keys(p.files)
    .sort()
    .map((file) => {
      const f = p.files[file]!;
      return { file, kind: f.kind, part: f.part, state: fileState(disk.get(file), f) };
    });
}

/** The kinds of part, in the order listings show them (support files are not parts). */
export const PART_KINDS = ["agent", "command", "skill", "output-style", "hook", "mcp"] as const;

/** Part names by kind (`{ command: ["kit:greet"], skill: ["alpha"] }`), each sorted and once; kinds without parts left out. */
export function partsByKind(files: Iterable<{ kind: PartKind; part: string }>): Record<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const f of files) if (f.kind !== "file") sets.set(f.kind, (sets.get(f.kind) ?? new Set()).add(f.part));
  const out: Record<string, string[]> = {};
  for (const kind of PART_KINDS) {
    const names = sets.get(kind);
    if (names) out[kind] = [...names].sort();
  }
  return out;
}

/** Counts of partsByKind's names. */
export function countParts(parts: Readonly<Record<string, readonly string[]>>): Record<string, number> {
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.length]));
}

/**
 * The folders a plugin has to itself, where a file no lock entry owns is worth reporting: its vendored copy
 * (`.claude/agentpkg/plugins/<key>`), its command namespace (`.claude/commands/<ns>`) and each of its skills
 * (`.claude/skills/<folder>`). Agent folders are walked with every agent file already; output styles share
 * one flat folder with the user's own.
 */
export function ownedFolders(key: string, files: Iterable<{ file: string; kind: PartKind }>): string[] {
  const out = new Set<string>();
  for (const { file, kind } of files) {
    const seg = file.split("/");
    if (kind === "file") out.add(`.claude/agentpkg/plugins/${key}`);
    else if ((kind === "command" || kind === "skill") && seg.length > 3) out.add(seg.slice(0, 3).join("/"));
  }
  return [...out].sort();
}

/** Files agentpkg itself leaves next to the ones it writes: backups, merge conflicts, temp files. */
export function isAgentpkgLeftover(name: string): boolean {
  return /\.(orig(\.\d+)?|conflict)$/.test(name) || name.endsWith(".agentpkg-tmp");
}

/** How a target reads in a listing: a file as is, a shared-file entry as what it is and where. */
export function describeTarget(t: { file: string; kind: PartKind; part: string }): string {
  const hash = t.file.indexOf("#");
  if (hash < 0) return t.file;
  const host = t.file.slice(0, hash);
  return t.kind === "hook" ? `hook ${t.part} in ${host}` : `MCP server ${t.part} in ${host}`;
}

/** Every file any lock entry owns: agents' files and plugins' files (and shared-file entries). */
export function trackedFiles(lock: Lockfile): Set<string> {
  const out = new Set(Object.values(lock.agents).map((e) => e.file));
  for (const p of Object.values(lock.plugins)) for (const f of Object.keys(p.files)) out.add(f);
  return out;
}
