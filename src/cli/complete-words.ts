// Pure: what a shell is completing, from the words typed after `agentpkg` (the last one being the word under
// the cursor, possibly empty). cli/complete.ts answers it.

/** A command's options as completion needs them. */
export interface FlagSpec {
  /** every spelling: `-g`, `--global` */
  names: string[];
  /** takes a value (`--registry <name>`): the next word is that value */
  takesValue: boolean;
}

export type CompletionRequest =
  | { kind: "command"; cur: string }
  | { kind: "flag"; command?: string; sub?: string; cur: string }
  | { kind: "value"; command?: string; flag: string; cur: string }
  | { kind: "positional"; command: string; sub?: string; index: number; cur: string };

export interface TypedContext {
  global: boolean;
  /** -C DIR, when given */
  cwd?: string;
}

/**
 * Read the words: root flags (and -C's value) before the command, the command (aliases resolved by
 * `canonical`), a subcommand where the command has them, flags with their values, and positionals.
 */
export function analyzeWords(
  words: readonly string[],
  o: { rootFlags: readonly FlagSpec[]; flagsOf: (command: string, sub?: string) => readonly FlagSpec[]; canonical: (name: string) => string | undefined; subcommandsOf: (command: string) => readonly string[] },
): { request: CompletionRequest; context: TypedContext } {
  const cur = words.length ? words[words.length - 1]! : "";
  const done = words.slice(0, -1);
  const context: TypedContext = { global: false };
  let command: string | undefined;
  let sub: string | undefined;
  let positionals = 0;
  let valueOf: string | undefined;
  const find = (w: string) => [...o.rootFlags, ...(command ? o.flagsOf(command, sub) : [])].find((f) => f.names.includes(w));
  for (const w of done) {
    if (valueOf !== undefined) {
      if (valueOf === "-C" || valueOf === "--cwd") context.cwd = w;
      valueOf = undefined;
      continue;
    }
    if (w === "-g" || w === "--global") context.global = true;
    if (w.startsWith("--cwd=")) context.cwd = w.slice("--cwd=".length);
    if (w.startsWith("-")) {
      const flag = find(w.split("=")[0]!);
      if (flag?.takesValue && !w.includes("=")) valueOf = w;
      continue;
    }
    if (command === undefined) command = o.canonical(w) ?? w;
    else if (sub === undefined && o.subcommandsOf(command).includes(w)) sub = w;
    else positionals++;
  }
  if (valueOf !== undefined) return { request: { kind: "value", ...(command ? { command } : {}), flag: valueOf, cur }, context };
  if (cur.startsWith("-")) return { request: { kind: "flag", ...(command ? { command } : {}), ...(sub ? { sub } : {}), cur }, context };
  if (command === undefined) return { request: { kind: "command", cur }, context };
  if (sub === undefined && o.subcommandsOf(command).length) return { request: { kind: "positional", command, index: -1, cur }, context };
  return { request: { kind: "positional", command, ...(sub ? { sub } : {}), index: positionals, cur }, context };
}

/** The candidates that start with the word typed so far, each once, in order. */
export function matching(candidates: Iterable<string>, cur: string): string[] {
  return [...new Set([...candidates].filter((c) => c.startsWith(cur)))];
}
