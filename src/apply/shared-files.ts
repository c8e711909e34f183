import { sha256 } from "../util/hash.js";
import { AgentpkgError } from "../util/errors.js";
import { writesFile, type Plan, type Step } from "../plan/plan.js";
import { editSharedJson, type EntryEdit } from "../project/shared-json.js";
import { readSharedText, splitTarget } from "../project/targets.js";
import { scopeFile, type Scope } from "../project/scope.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";

/** A shared file (.claude/settings.json, .mcp.json) as an apply leaves it: its new text, or undefined (delete). */
export interface SharedWrite {
  host: string;
  text: string | undefined;
  /** sha256 of the file now (null: absent); it must still be this when the apply writes */
  oldSha: string | null;
  /** the packages whose entries changed (for messages) */
  names: string[];
}

/** The entry a step leaves in its shared file: its new value, or undefined when it goes (or stays untouched: null). */
function editOf(step: Step, plan: Plan): EntryEdit | null {
  const key = splitTarget(step.file)!.key;
  if (step.op === "remove") return step.local === "missing" || step.resolution === "keep" ? null : { key, value: undefined };
  if (!writesFile(step)) return null;
  const content = plan.merged.get(step.file) ?? plan.incoming.get(step.file);
  if (!content) throw new Error(`internal: no content for ${step.file}`);
  return { key, value: JSON.parse(content.toString("utf8")) as unknown };
}

/** Every shared file the plan's entry steps change, read now and checked against what the plan saw. */
export function sharedWrites(scope: Scope, plan: Plan): SharedWrite[] {
  const byHost = new Map<string, { edits: EntryEdit[]; names: Set<string> }>();
  for (const step of plan.steps) {
    const split = splitTarget(step.file);
    if (!split) continue;
    const edit = editOf(step, plan);
    if (!edit) continue;
    const group = byHost.get(split.host) ?? { edits: [], names: new Set<string>() };
    group.edits.push(edit);
    group.names.add(step.name);
    byHost.set(split.host, group);
  }
  const out: SharedWrite[] = [];
  for (const [host, { edits, names }] of byHost) {
    const before = readSharedText(scope, host);
    const oldSha = before === undefined ? null : sha256(before);
    if (plan.disk.has(host) && plan.disk.get(host) !== oldSha) {
      throw new AgentpkgError("E_LOCAL_EDITS", `${host} changed while agentpkg was working; nothing was changed`, { hint: "re-run the command" });
    }
    const text = editSharedJson(before, host, edits);
    if (text !== before) out.push({ host, text, oldSha, names: [...names].sort() });
  }
  return out;
}

/** The merge patches the plan writes or deletes (.claude/agentpkg/patches/...), as whole-file writes. */
export function patchWrites(scope: Scope, plan: Plan): SharedWrite[] {
  const out: SharedWrite[] = [];
  for (const [file, content] of plan.patches) {
    const before = readRegularFileIfExists(scopeFile(scope, file), { limit: READ_LIMITS.projectFile, display: file });
    if (content === null && before === undefined) continue;
    out.push({ host: file, text: content === null ? undefined : content.toString("utf8"), oldSha: before === undefined ? null : sha256(before), names: [] });
  }
  return out;
}
