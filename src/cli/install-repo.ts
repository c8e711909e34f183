import type { Io } from "../util/deps.js";
import { EXIT } from "../util/errors.js";
import { redactCredentials } from "../util/redact.js";
import type { InstallArgsResult } from "../operations/install-repo.js";
import { changeToJson, printChange } from "./render-change.js";
import { printNotes, printResult, type OutputFlags } from "./output.js";

/**
 * An install's result; from a repository, also the registry it went through: a line above the plan
 * (`registry NAME -> URL (kind, added)`), and `registry` in the --json document.
 */
export function printInstall(io: Io, flags: OutputFlags, r: InstallArgsResult): number {
  const reg = r.registry;
  if (!reg) return printChange(io, flags, r);
  const signed = reg.allowedSigners !== undefined ? { allowedSigners: reg.allowedSigners, ...(reg.signer ? { signer: reg.signer } : {}) } : {};
  const registry = { name: reg.name, url: redactCredentials(reg.url), type: reg.type, added: reg.added, ...signed };
  if (flags.json) {
    printNotes(io, flags, r.plan.warnings);
    printResult(io, flags, { ...changeToJson(r), registry }, () => []);
    return r.plan.conflicts.length ? EXIT.refused : EXIT.ok;
  }
  const state = reg.added ? (r.dryRun ? "would be added" : "added") : "already configured";
  const keys = reg.allowedSigners === undefined ? "" : `; signed: ${reg.allowedSigners} allowed key${reg.allowedSigners === 1 ? "" : "s"}${reg.signer ? `, head signed by ${reg.signer.principal ?? reg.signer.fingerprint} (${reg.signer.fingerprint})` : ""}`;
  if (!flags.quiet) io.out(`registry ${reg.name} -> ${registry.url} (${reg.type}, ${state}${keys})`);
  return printChange(io, flags, r);
}
