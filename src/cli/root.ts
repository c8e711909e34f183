import { statSync } from "node:fs";
import { Command, Option } from "commander";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { VERSION } from "../version.js";

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

/** The root command with the global flags, and no subcommands yet. */
export function createRoot(): Command {
  return new Command("agentpkg")
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
}

/** Add subcommands to the root, passing its settings down, then fix up --version. */
export function attachCommands(program: Command, commands: Command[]): Command {
  for (const cmd of commands) {
    program.addCommand(cmd, { hidden: cmd.name().startsWith("__") }); // __complete: for the completion scripts only
    inherit(cmd, program);
  }
  versionOnlyBeforeSubcommand(program);
  return program;
}

/**
 * Commander lets root options match anywhere; the root's --version only counts before a subcommand,
 * so `publish FILE --version 1.2.0` reaches publish.
 */
function versionOnlyBeforeSubcommand(program: Command): void {
  const parse = program.parseOptions.bind(program);
  const isCommand = (a: string) => program.commands.some((c) => c.name() === a || c.aliases().includes(a));
  program.parseOptions = (args: string[]) => {
    const sub = args.findIndex(isCommand);
    if (sub < 0 || args.indexOf("--version") < sub) return parse(args);
    const p = program as unknown as { options: Option[] };
    const all = p.options;
    p.options = all.filter((o) => o.long !== "--version");
    try {
      return parse(args);
    } finally {
      p.options = all;
    }
  };
}

/** addCommand() does not pass exitOverride/output settings down (commander #1186). */
function inherit(cmd: Command, program: Command): void {
  cmd.copyInheritedSettings(program);
  for (const sub of cmd.commands) inherit(sub, cmd);
}

/** -C must name a folder that exists: a typo would otherwise become a new folder tree (exit 2, one line). */
function assertFolder(flag: string, dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new AgentpkgError("E_USAGE", `-C ${flag}: no such folder`, { hint: "name an existing folder (agentpkg never creates the folder -C names)" });
  }
  if (!st.isDirectory()) throw new AgentpkgError("E_USAGE", `-C ${flag}: not a folder`, { hint: "name an existing folder" });
}

/** Apply global flags that change the environment of the run (cwd, colors). */
export function effectiveDeps(deps: Deps, g: GlobalFlags): Deps {
  const cwd = g.cwd ? (g.cwd.startsWith("/") ? g.cwd : `${deps.cwd}/${g.cwd}`) : deps.cwd;
  if (g.cwd) assertFolder(g.cwd, cwd);
  const io = deps.io;
  // getters: the terminal checks behind them run only if something asks (util/deps.ts)
  return {
    ...deps,
    cwd,
    // a progress line is decoration for a person watching: never with --json or --quiet
    progress: g.json || g.quiet ? undefined : deps.progress,
    io: {
      out: io.out,
      err: io.err,
      get isTTY() {
        return io.isTTY;
      },
      get color() {
        return g.color !== false && !g.json && io.color;
      },
      get interactive() {
        return !g.json && io.interactive;
      },
    },
  };
}
