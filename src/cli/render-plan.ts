import type { Step } from "../plan/plan.js";

export interface StepJson {
  op: Step["op"];
  name: string;
  kind: Step["kind"];
  from?: string;
  to?: string;
  registry?: string;
  file: string;
  local: Step["local"];
  resolution?: Step["resolution"];
}

/** The stable JSON form of a step (schema of --json output). */
export function stepToJson(s: Step): StepJson {
  // Object.assign, not a spread and more fields: V8 gives every object built that way a hidden class of its own
  const { op, name, kind, local, file } = s;
  const resolution = s.resolution ? { resolution: s.resolution } : {};
  if (op === "add") return Object.assign({ op, name, kind, local }, resolution, { to: s.to.version, registry: s.to.registry, file });
  if (op === "remove") return Object.assign({ op, name, kind, local }, resolution, { from: s.from.version, registry: s.from.registry, file });
  return Object.assign({ op, name, kind, local }, resolution, { from: s.from.version, to: s.to.version, registry: s.to.registry, file });
}

const LOCAL_NOTES: Partial<Record<Step["local"], string>> = {
  outdated: "an earlier version: brought to the locked one",
  untracked: "replaces a file agentpkg did not write",
  modified: "locally modified",
};

const RESOLUTION_NOTES: Record<NonNullable<Step["resolution"]>, string> = {
  keep: "kept as is",
  overwrite: "overwritten, backup saved",
  merge: "merged",
  conflict: "merge conflicts",
};

/** A package that moves to another registry (only ever when the user asked for it): said on its line. */
function registryMove(steps: readonly Step[]): string[] {
  const moved = steps.find((s) => s.op === "update" && s.from.registry !== s.to.registry);
  return moved && moved.op === "update" ? [`registry ${moved.from.registry} -> ${moved.to.registry}`] : [];
}

function notesOf(s: Step): string[] {
  const notes: string[] = [];
  if (s.op === "add" && s.local === "missing") notes.push("restore deleted file");
  const localNote = LOCAL_NOTES[s.local];
  if (localNote) notes.push(localNote);
  if (s.resolution) notes.push(s.op === "remove" && s.resolution === "overwrite" ? "deleted, backup saved" : RESOLUTION_NOTES[s.resolution]);
  return notes;
}

const suffix = (notes: string[]) => (notes.length ? `  (${notes.join(", ")})` : "");
const sign = (op: Step["op"]) => (op === "add" ? "+" : op === "remove" ? "-" : "~");

/** A package's version change: `1.0.0`, or `1.0.0 -> 1.1.0`. */
function versions(steps: readonly Step[]): string {
  let a: string | undefined;
  let b: string | undefined;
  for (const s of steps) {
    if (s.op !== "add") a ??= s.from.version;
    if (s.op !== "remove" && s.resolution !== "keep") b ??= s.to.version; // a kept file stays at its version
  }
  return a === undefined ? b! : b === undefined || a === b ? a : `${a} -> ${b}`;
}

/** What one package's steps do as a whole: everything added, everything removed, or changed. */
function packageOp(steps: readonly Step[]): Step["op"] {
  if (steps.every((s) => s.op === "add")) return "add";
  if (steps.every((s) => s.op === "remove")) return "remove";
  return "update";
}

/** One human line per step of an agent: `+ name 1.0.0`, `~ name 1.0.0 -> 1.1.0`, `- name 1.0.0`, with notes. */
export function renderStep(s: Step): string {
  if (s.op === "add") return `+ ${s.name} ${s.to.version}${suffix(notesOf(s))}`;
  if (s.op === "remove") return `- ${s.name} ${s.from.version}${suffix(notesOf(s))}`;
  // --keep: the file and its lock entry stay as they were, so the version does not change
  const kept = s.resolution === "keep" && s.from.version !== s.to.version ? [`${s.to.version} not installed`] : [];
  const v = s.from.version === s.to.version || kept.length ? s.from.version : `${s.from.version} -> ${s.to.version}`;
  return `~ ${s.name} ${v}${suffix([...registryMove([s]), ...notesOf(s), ...kept])}`;
}

const PLURAL: Record<string, [string, string]> = {
  agent: ["agent", "agents"],
  command: ["command", "commands"],
  skill: ["skill", "skills"],
  "output-style": ["output style", "output styles"],
  hook: ["hook", "hooks"],
  mcp: ["MCP server", "MCP servers"],
  file: ["file", "files"],
};

/** `2 agents, 1 command, 3 files`: counts by kind, in a fixed order. */
export function describeCounts(counts: Readonly<Record<string, number>>): string {
  return Object.keys(PLURAL)
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${PLURAL[k]![counts[k] === 1 ? 0 : 1]}`)
    .join(", ");
}

/** The parts a package's steps touch, by kind (a skill counted once, not per file). */
export function describeParts(steps: readonly Step[]): string {
  const parts = new Map<string, Set<string>>();
  for (const s of steps) {
    const part = s.op === "remove" ? s.from.part : s.to.part;
    parts.set(s.kind, (parts.get(s.kind) ?? new Set()).add(s.kind === "file" ? s.file : part));
  }
  return describeCounts(Object.fromEntries([...parts].map(([k, v]) => [k, v.size])));
}

/**
 * The human lines of a plan: an agent is one line; a plugin is one line for the package (its version
 * change and the parts it touches), then one indented line per file that meets a local edit.
 */
export function renderSteps(steps: readonly Step[]): string[] {
  const lines: string[] = [];
  for (const [name, group] of groupByPackage(steps)) {
    if (!isPlugin(group)) {
      lines.push(...group.map(renderStep));
      continue;
    }
    const op = packageOp(group);
    lines.push(`${sign(op)} plugin ${name} ${versions(group)}  (${[describeParts(group), ...registryMove(group)].join("; ")})`);
    for (const s of group) {
      const notes = notesOf(s);
      if (notes.length) lines.push(`    ${sign(s.op)} ${s.file}${suffix(notes)}`);
    }
  }
  return lines;
}

function isPlugin(steps: readonly Step[]): boolean {
  return steps.some((s) => (s.op === "remove" ? s.from.plugin : s.to.plugin) !== undefined);
}

function groupByPackage(steps: readonly Step[]): Map<string, Step[]> {
  const out = new Map<string, Step[]>();
  for (const s of steps) {
    const group = out.get(s.name);
    if (group) group.push(s);
    else out.set(s.name, [s]);
  }
  return out;
}

/** `1 added, 1 updated, 2 kept as edited`: packages by what happens to them; files kept as edited. */
export function summarize(steps: readonly Step[]): string {
  const counts = { add: 0, update: 0, remove: 0 };
  for (const group of groupByPackage(steps).values()) {
    const acting = group.filter((s) => s.resolution !== "keep");
    if (acting.length) counts[packageOp(acting)]++;
  }
  const parts = [
    [counts.add, "added"],
    [counts.update, "updated"],
    [counts.remove, "removed"],
    [steps.filter((s) => s.resolution === "keep").length, "kept as edited"],
  ].filter(([n]) => (n as number) > 0);
  return parts.length ? parts.map(([n, w]) => `${n} ${w}`).join(", ") : "nothing to change";
}
