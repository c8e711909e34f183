import type { Command } from "commander";
import { attachCommands, createRoot } from "./root.js";
import type { Deps } from "../util/deps.js";
import { installCommand } from "./install.js";
import { removeCommand } from "./remove.js";
import { upgradeCommand } from "./upgrade.js";
import { listCommand } from "./list.js";
import { registryCommand } from "./registry.js";
import { validateCommand } from "./validate.js";
import { newCommand } from "./new.js";
import { publishCommand } from "./publish.js";
import { yankCommand, deprecateCommand } from "./yank.js";
import { searchCommand } from "./search.js";
import { infoCommand } from "./info.js";
import { packCommand } from "./pack.js";
import { syncCommand } from "./sync.js";
import { verifyCommand } from "./verify.js";
import { outdatedCommand } from "./outdated.js";
import { initCommand } from "./init.js";
import { statusCommand } from "./status.js";
import { diffCommand } from "./diff.js";
import { doctorCommand } from "./doctor.js";

export { VERSION } from "../version.js";
export { effectiveDeps, type GlobalFlags } from "./root.js";

/** The whole program, every command (help, tests). A run loads only its command: see lazy-program.ts. */
export function createProgram(deps: Deps): Command {
  const program = createRoot();
  const commands = [installCommand(deps), upgradeCommand(deps), removeCommand(deps), listCommand(deps), statusCommand(deps), diffCommand(deps), registryCommand(deps), packCommand(deps), syncCommand(deps), verifyCommand(deps), outdatedCommand(deps), initCommand(deps), validateCommand(deps), newCommand(deps), publishCommand(deps), yankCommand(deps), deprecateCommand(deps), searchCommand(deps), infoCommand(deps), doctorCommand(deps)];
  return attachCommands(program, commands);
}
