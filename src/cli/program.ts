import type { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { attachCommands, createRoot } from "./root.js";

type Factory = (deps: Deps) => Command;

/**
 * Every command: its name and aliases, and how to load its module. A run loads only the module of the
 * command it names (start-up, DESIGN.md §7); help and unknown names load them all. Adding a command is one
 * line here plus its file (a unit test checks the names against each command's own).
 */
export const COMMANDS: readonly { names: readonly string[]; load: () => Promise<Factory> }[] = [
  { names: ["install", "i", "add"], load: async () => (await import("./install.js")).installCommand },
  { names: ["upgrade", "update"], load: async () => (await import("./upgrade.js")).upgradeCommand },
  { names: ["remove", "rm", "uninstall"], load: async () => (await import("./remove.js")).removeCommand },
  { names: ["list", "ls"], load: async () => (await import("./list.js")).listCommand },
  { names: ["status"], load: async () => (await import("./status.js")).statusCommand },
  { names: ["diff"], load: async () => (await import("./diff.js")).diffCommand },
  { names: ["registry"], load: async () => (await import("./registry.js")).registryCommand },
  { names: ["pack"], load: async () => (await import("./pack.js")).packCommand },
  { names: ["sync"], load: async () => (await import("./sync.js")).syncCommand },
  { names: ["verify"], load: async () => (await import("./verify.js")).verifyCommand },
  { names: ["audit"], load: async () => (await import("./audit.js")).auditCommand },
  { names: ["outdated"], load: async () => (await import("./outdated.js")).outdatedCommand },
  { names: ["init"], load: async () => (await import("./init.js")).initCommand },
  { names: ["validate"], load: async () => (await import("./validate.js")).validateCommand },
  { names: ["new"], load: async () => (await import("./new.js")).newCommand },
  { names: ["publish"], load: async () => (await import("./publish.js")).publishCommand },
  { names: ["yank"], load: async () => (await import("./yank.js")).yankCommand },
  { names: ["deprecate"], load: async () => (await import("./yank.js")).deprecateCommand },
  { names: ["search"], load: async () => (await import("./search.js")).searchCommand },
  { names: ["info", "show"], load: async () => (await import("./info.js")).infoCommand },
  { names: ["doctor"], load: async () => (await import("./doctor.js")).doctorCommand },
  { names: ["completion"], load: async () => (await import("./completion.js")).completionCommand },
  { names: ["__complete"], load: async () => ((m) => (deps: Deps) => m.completeCommand(deps, COMMANDS))(await import("./complete.js")) },
];

/** The whole program, every command (help, unknown names, tests). */
export async function createProgram(deps: Deps): Promise<Command> {
  const factories = await Promise.all(COMMANDS.map((c) => c.load()));
  return attachCommands(createRoot(), factories.map((f) => f(deps)));
}

/** Root flags that take no value, and the one that takes a value (-C/--cwd). */
const ROOT_FLAGS = new Set(["--json", "-q", "--quiet", "-y", "--yes", "--offline", "-g", "--global", "--verbose", "--no-color"]);

/** The subcommand a command line names, when that is certain; undefined for help, --version, odd flags. */
export function subcommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-C" || a === "--cwd") i++;
    else if (a.startsWith("--cwd=") || ROOT_FLAGS.has(a)) continue;
    else return a.startsWith("-") ? undefined : a;
  }
  return undefined;
}

/** The program for one run (argv as process.argv): the root plus only the named command when known. */
export async function programFor(deps: Deps, argv: readonly string[]): Promise<Command> {
  const name = subcommandOf(argv.slice(2));
  const command = name === undefined ? undefined : COMMANDS.find((c) => c.names.includes(name));
  if (!command) return createProgram(deps);
  return attachCommands(createRoot(), [(await command.load())(deps)]);
}
