import type { Step } from "../plan/plan.js";

export interface StepJson {
  op: Step["op"];
  name: string;
  from?: string;
  to?: string;
  registry?: string;
  file: string;
  local: Step["local"];
  resolution?: Step["resolution"];
}

/** The stable JSON form of a step (schema of --json output). */
export function stepToJson(s: Step): StepJson {
  const base = { op: s.op, name: s.name, local: s.local, ...(s.resolution ? { resolution: s.resolution } : {}) };
  if (s.op === "add") return { ...base, to: s.to.version, registry: s.to.registry, file: s.file };
  if (s.op === "remove") return { ...base, from: s.from.version, registry: s.from.registry, file: s.file };
  return { ...base, from: s.from.version, to: s.to.version, registry: s.to.registry, file: s.file };
}

const LOCAL_NOTES: Partial<Record<Step["local"], string>> = {
  untracked: "replaces a file agentpkg did not write",
  modified: "locally modified",
};

const RESOLUTION_NOTES: Record<NonNullable<Step["resolution"]>, string> = {
  keep: "kept as is",
  overwrite: "overwritten, backup saved",
  merge: "merged",
  conflict: "merge conflicts",
};

/** One human line per step: `+ name 1.0.0`, `~ name 1.0.0 -> 1.1.0`, `- name 1.0.0`, with notes. */
export function renderStep(s: Step): string {
  const notes: string[] = [];
  if (s.op === "add" && s.local === "missing") notes.push("restore deleted file");
  const localNote = LOCAL_NOTES[s.local];
  if (localNote) notes.push(localNote);
  if (s.resolution) notes.push(RESOLUTION_NOTES[s.resolution]);
  const suffix = notes.length ? `  (${notes.join(", ")})` : "";
  if (s.op === "add") return `+ ${s.name} ${s.to.version}${suffix}`;
  if (s.op === "remove") return `- ${s.name} ${s.from.version}${suffix}`;
  const versions = s.from.version === s.to.version ? s.to.version : `${s.from.version} -> ${s.to.version}`;
  return `~ ${s.name} ${versions}${suffix}`;
}

export function summarize(steps: readonly Step[]): string {
  const count = (op: Step["op"]) => steps.filter((s) => s.op === op && s.resolution !== "keep").length;
  const parts = [
    [count("add"), "added"],
    [count("update"), "updated"],
    [count("remove"), "removed"],
    [steps.filter((s) => s.resolution === "keep").length, "kept as edited"],
  ].filter(([n]) => (n as number) > 0);
  return parts.length ? parts.map(([n, w]) => `${n} ${w}`).join(", ") : "nothing to change";
}
