// `agentpkg __complete -- WORDS...` (hidden): the completions of the last word, one per line, for the scripts
// `agentpkg completion bash|zsh|fish` prints. Commands and flags come from the commands themselves; names from
// the manifest, the lock and the registries' cached indexes (operations/inspect/complete.ts), never the network.
import path from "node:path";
import { Command, type Option } from "commander";
import type { Deps } from "../util/deps.js";
import { createRoot } from "./root.js";
import { analyzeWords, matching, type CompletionRequest, type FlagSpec } from "./complete-words.js";

const HIDDEN = "__complete";

/** COMMANDS of program.ts, passed in (program.ts loads this module: importing it back would be a cycle). */
export type CommandTable = readonly { names: readonly string[]; load: () => Promise<(deps: Deps) => Command> }[];
export const SHELLS = ["bash", "zsh", "fish"] as const;

const flagSpecs = (options: readonly Option[]): FlagSpec[] => [
  ...options.filter((o) => !o.hidden).map((o) => ({ names: [o.short, o.long].filter((n): n is string => n !== undefined), takesValue: o.required || o.optional })),
  { names: ["-h", "--help"], takesValue: false },
];

/** Fixed values of some flags; others (-C, --from, -o) are files or folders, left to the shell. */
const FLAG_VALUES: Record<string, readonly string[]> = { "--type": ["registry", "marketplace", "plain"], "--level": ["low", "medium", "high"] };

/** Which names each command's positionals take. */
const INSTALLED = new Set(["remove", "upgrade", "diff", "status", "audit"]);
const AVAILABLE = new Set(["install"]);
const ANY_NAME = new Set(["info"]);

async function commandOf(COMMANDS: CommandTable, deps: Deps, name: string): Promise<Command | undefined> {
  const entry = COMMANDS.find((c) => c.names[0] === name);
  return entry ? (await entry.load())(deps) : undefined;
}

/** The candidates for one request. */
async function candidates(COMMANDS: CommandTable, deps: Deps, request: CompletionRequest, global: boolean): Promise<string[]> {
  const names = async (withAvailable: boolean) => (await import("../operations/inspect/complete.js")).completionNames({ global, withAvailable }, deps);
  switch (request.kind) {
    case "command":
      return COMMANDS.flatMap((c) => c.names).filter((n) => n !== HIDDEN);
    case "flag": {
      const root = flagSpecs(createRoot().options);
      const cmd = request.command ? await commandOf(COMMANDS, deps, request.command) : undefined;
      const own = request.sub ? cmd?.commands.find((c) => c.name() === request.sub) : cmd;
      const rootFlags = request.command ? root.filter((f) => !f.names.includes("--version")) : root;
      return [...(own ? flagSpecs(own.options) : []), ...rootFlags].flatMap((f) => f.names).filter((n) => n.startsWith("--") || !request.cur.startsWith("--"));
    }
    case "value":
      if (request.flag === "--registry") return (await names(false)).registries;
      return [...(FLAG_VALUES[request.flag] ?? [])];
    case "positional": {
      const c = request.command;
      if (c === "registry") {
        if (request.index === -1) return ((await commandOf(COMMANDS, deps, "registry"))?.commands ?? []).map((s) => s.name());
        return request.sub === "remove" || request.sub === "update" ? (await names(false)).registries : [];
      }
      if (c === "completion") return request.index === 0 ? [...SHELLS] : [];
      if (INSTALLED.has(c)) return (await names(false)).installed;
      if (AVAILABLE.has(c) || ANY_NAME.has(c)) {
        const n = await names(true);
        return [...n.available, ...(ANY_NAME.has(c) ? n.installed : [])];
      }
      return [];
    }
  }
}

export function completeCommand(deps: Deps, COMMANDS: CommandTable): Command {
  return new Command(HIDDEN)
    .description("print the completions of the last word (used by the scripts of agentpkg completion)")
    .argument("[words...]", "the words after agentpkg, the last one being completed")
    .allowUnknownOption()
    .action(async (words: string[]) => {
      try {
        const canonical = (w: string) => COMMANDS.find((c) => c.names.includes(w))?.names[0];
        const built = new Map<string, Command | undefined>();
        for (const w of words) {
          const name = canonical(w);
          if (name && !built.has(name)) built.set(name, await commandOf(COMMANDS, deps, name));
        }
        const { request, context } = analyzeWords(words, {
          rootFlags: flagSpecs(createRoot().options),
          canonical,
          flagsOf: (c, sub) => {
            const cmd = built.get(c);
            const own = sub ? cmd?.commands.find((s) => s.name() === sub) : cmd;
            return own ? flagSpecs(own.options) : [];
          },
          subcommandsOf: (c) => (built.get(c)?.commands ?? []).map((s) => s.name()),
        });
        const here = context.cwd ? { ...deps, cwd: path.resolve(deps.cwd, context.cwd) } : deps;
        const out = matching(await candidates(COMMANDS, here, request, context.global), request.cur);
        if (out.length) deps.io.out(out.join("\n"));
      } catch {
        // completion never prints an error into the command line being typed
      }
    });
}
