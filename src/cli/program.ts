import { Command, Option } from "commander";
import type { Deps } from "../util/deps.js";
import { installCommand } from "./install.js";
import { removeCommand } from "./remove.js";
import { upgradeCommand } from "./upgrade.js";
import { listCommand } from "./list.js";
import { registryCommand } from "./registry.js";

export const VERSION = "0.1.0";

/** Flags every command understands, read with optsWithGlobals(). */
export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  yes?: boolean;
  offline?: boolean;
  global?: boolean;
  cwd?: string;
  verbose?: boolean;
  color?: boolean;
}

export function createProgram(deps: Deps): Command {
  const program = new Command("agentpkg")
    .description("a package manager for Claude Code agents: semver, a lockfile, git registries, and local edits never lost")
    .version(VERSION, "-v, --version")
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "print nothing but errors")
    .option("-y, --yes", "confirm permission changes without asking")
    .option("--offline", "use only the local cache; never touch the network")
    .option("-g, --global", "use ~/.claude (agents, manifest and lock) instead of the project's .claude")
    .option("-C, --cwd <dir>", "run as if started in <dir>")
    .option("--verbose", "show stack traces for unexpected errors")
    .addOption(new Option("--no-color", "disable colors (also NO_COLOR)"))
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const commands = [installCommand(deps), upgradeCommand(deps), removeCommand(deps), listCommand(deps), registryCommand(deps)];
  for (const cmd of commands) {
    program.addCommand(cmd);
    inherit(cmd, program);
  }
  return program;
}

/** addCommand() does not pass exitOverride/output settings down (commander #1186). */
function inherit(cmd: Command, program: Command): void {
  cmd.copyInheritedSettings(program);
  for (const sub of cmd.commands) inherit(sub, cmd);
}

/** Apply global flags that change the environment of the run (cwd, colors). */
export function effectiveDeps(deps: Deps, g: GlobalFlags): Deps {
  const cwd = g.cwd ? (g.cwd.startsWith("/") ? g.cwd : `${deps.cwd}/${g.cwd}`) : deps.cwd;
  const color = deps.io.color && g.color !== false && !g.json;
  return { ...deps, cwd, io: { ...deps.io, color, interactive: deps.io.interactive && !g.json } };
}
