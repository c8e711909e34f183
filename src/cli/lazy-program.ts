import type { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { attachCommands, createRoot } from "./root.js";

type Factory = (deps: Deps) => Command;

/**
 * Each command name and alias -> its module, so a run loads one command's code instead of all of them
 * (start-up, DESIGN.md §7). A name missing here still works: it gets the whole program. A unit test
 * checks this table against createProgram().
 */
export const LAZY_COMMANDS: Record<string, () => Promise<Factory>> = {};
const lazy = (names: string[], load: () => Promise<Factory>) => names.forEach((n) => (LAZY_COMMANDS[n] = load));
lazy(["install", "i", "add"], async () => (await import("./install.js")).installCommand);
lazy(["upgrade", "update"], async () => (await import("./upgrade.js")).upgradeCommand);
lazy(["remove", "rm", "uninstall"], async () => (await import("./remove.js")).removeCommand);
lazy(["list", "ls"], async () => (await import("./list.js")).listCommand);
lazy(["status"], async () => (await import("./status.js")).statusCommand);
lazy(["diff"], async () => (await import("./diff.js")).diffCommand);
lazy(["registry"], async () => (await import("./registry.js")).registryCommand);
lazy(["pack"], async () => (await import("./pack.js")).packCommand);
lazy(["sync"], async () => (await import("./sync.js")).syncCommand);
lazy(["verify"], async () => (await import("./verify.js")).verifyCommand);
lazy(["outdated"], async () => (await import("./outdated.js")).outdatedCommand);
lazy(["init"], async () => (await import("./init.js")).initCommand);
lazy(["validate"], async () => (await import("./validate.js")).validateCommand);
lazy(["new"], async () => (await import("./new.js")).newCommand);
lazy(["publish"], async () => (await import("./publish.js")).publishCommand);
lazy(["yank"], async () => (await import("./yank.js")).yankCommand);
lazy(["deprecate"], async () => (await import("./yank.js")).deprecateCommand);
lazy(["search"], async () => (await import("./search.js")).searchCommand);
lazy(["info", "show"], async () => (await import("./info.js")).infoCommand);
lazy(["doctor"], async () => (await import("./doctor.js")).doctorCommand);

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
  const load = name !== undefined && Object.hasOwn(LAZY_COMMANDS, name) ? LAZY_COMMANDS[name] : undefined;
  if (!load) return (await import("./program.js")).createProgram(deps);
  return attachCommands(createRoot(), [(await load())(deps)]);
}
