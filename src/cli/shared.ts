import type { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { effectiveDeps, type GlobalFlags } from "./root.js";
import type { OutputFlags } from "./output.js";
import type { CommonOptions } from "../change/context.js";
import type { ChangeOptions } from "../change/pipeline.js";
import { changePrompts } from "./prompts.js";

/**
 * The flags of a command that may overwrite or delete locally edited files. `deletes`: the command only
 * deletes (remove): there is no new version to merge with, so no --merge or --resolved.
 */
export function addEditFlags(cmd: Command, o: { deletes?: boolean } = {}): Command {
  cmd.option("--dry-run", "print the plan, change nothing");
  if (o.deletes) {
    return cmd
      .option("--keep", "leave locally edited files in place, no longer tracked (their lock entries go)")
      .option("--force", "delete locally edited files too, saving each as <file>.orig first");
  }
  return cmd
    .option("--keep", "leave locally edited files as they are (their lock entries stay)")
    .option("--force", "overwrite locally edited files, saving each as <file>.orig first")
    .option("--merge", "three-way merge local edits with the new version")
    .option("--resolved", "after fixing a merge conflict by hand: take the new version, keeping your file as its merge");
}

export interface Invocation {
  deps: Deps;
  out: OutputFlags;
  common: CommonOptions;
  flags: Record<string, unknown>;
}

/** Merge a command's own flags with the global ones and derive the run's deps. */
export function invocation(cmd: Command, deps: Deps): Invocation {
  const flags = cmd.optsWithGlobals() as Record<string, unknown> & GlobalFlags;
  const d = effectiveDeps(deps, flags);
  return {
    deps: d,
    out: { json: flags.json === true, quiet: flags.quiet === true, global: flags.global === true },
    common: { global: flags.global === true, offline: flags.offline === true, dryRun: flags.dryRun === true, yes: flags.yes === true },
    flags,
  };
}

/** The options every change command (install, upgrade, remove, sync) passes on: shared flags, edit flags, a terminal to ask. */
export function changeOptions(inv: Invocation): ChangeOptions {
  const f = inv.flags;
  return { ...inv.common, keep: f.keep === true, force: f.force === true, merge: f.merge === true, resolved: f.resolved === true, prompts: changePrompts(inv.deps) };
}
