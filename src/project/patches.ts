// A clean merge's result, committed: the lock records the merged file's sha256 (localSha256), and the
// merge itself is kept as a patch against the pristine version in .claude/agentpkg/patches/, so a
// teammate's clone (where agent files may not be committed), `install --from` and `sync` write the merged
// text, not the upstream one (as pnpm's `patch-commit` keeps patches next to the lockfile).
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";

const PATCH_DIR = ".claude/agentpkg/patches/";

/** Where the patch of a merged file is kept: `.claude/agents/x.md` -> `.claude/agentpkg/patches/agents/x.md.patch`. */
export function patchPathFor(file: string): string {
  return `${PATCH_DIR}${file.replace(/^\.claude\//, "")}.patch`;
}

export function isPatchPath(file: string): boolean {
  return file.startsWith(PATCH_DIR) && file.endsWith(".patch");
}

/** The patch that turns the pristine text into the merged one. */
export async function makePatch(file: string, pristine: Buffer, merged: Buffer): Promise<Buffer> {
  const { unifiedDiff } = await import("../util/text-diff.js"); // the diff library loads only when merging
  return Buffer.from(unifiedDiff(pristine.toString("utf8"), merged.toString("utf8"), { oldLabel: `a/${file}`, newLabel: `b/${file}` }));
}

/** The merged text again: the patch applied to the pristine text, checked against the lock's localSha256. */
export async function applyMergePatch(file: string, pristine: Buffer, patch: Buffer | undefined, localSha256: string): Promise<Buffer> {
  const path = patchPathFor(file);
  const hint = `restore ${path} from git (or run agentpkg upgrade --merge again)`;
  if (patch === undefined) throw new AgentpkgError("E_INTEGRITY", `the lock records a merged ${file}, but ${path} is missing; nothing was changed`, { hint });
  const { applyUnifiedDiff } = await import("../util/text-diff.js");
  const merged = patch.length === 0 ? pristine.toString("utf8") : await applyUnifiedDiff(pristine.toString("utf8"), patch.toString("utf8"));
  if (merged === undefined || sha256(merged) !== localSha256) {
    throw new AgentpkgError("E_INTEGRITY", `${path} does not give the merged ${file} the lock records; nothing was changed`, { hint });
  }
  return Buffer.from(merged);
}
