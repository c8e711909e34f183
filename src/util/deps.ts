import os from "node:os";

export interface Io {
  /** write a line (or lines) to stdout */
  out(text: string): void;
  /** write a line to stderr */
  err(text: string): void;
  /** stdout is a terminal: decoration only, never content */
  isTTY: boolean;
  /** stdin and stdout are both terminals: prompts are allowed */
  interactive: boolean;
  color: boolean;
}

/** Asks the user one question; returns the chosen key. Injected so tests can drive prompts. */
export type PromptFn = (question: string, choices: { key: string; label: string }[]) => Promise<string>;

/** Everything that touches the outside world; only realDeps() reads process.* */
export interface Deps {
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  io: Io;
  prompt?: PromptFn;
  /** the process exit code when the command finishes without throwing (0 unless set) */
  setExitCode(code: number): void;
}

export function realDeps(): Deps {
  const env = process.env;
  const isTTY = process.stdout.isTTY === true;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    cwd: process.cwd(),
    home: env.AGENTPKG_HOME ?? os.homedir(),
    env,
    io: {
      out: (t) => void process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
      err: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
      isTTY,
      interactive: isTTY && process.stdin.isTTY === true && env.CI !== "true",
      color: isTTY && !noColor && env.TERM !== "dumb",
    },
    prompt: terminalPrompt,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** Cache dir: $XDG_CACHE_HOME/agentpkg or ~/.cache/agentpkg (AGENTPKG_CACHE overrides). */
export function cacheDir(deps: Pick<Deps, "env" | "home">): string {
  if (deps.env.AGENTPKG_CACHE) return deps.env.AGENTPKG_CACHE;
  const base = deps.env.XDG_CACHE_HOME || `${deps.home}/.cache`;
  return `${base}/agentpkg`;
}

/** Ask on stderr, read one line from stdin; repeats until the answer is one of the keys. */
export const terminalPrompt: PromptFn = async (question, choices) => {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const menu = choices.map((c) => `[${c.key}] ${c.label}`).join("  ");
    for (;;) {
      const answer = (await rl.question(`${question}\n  ${menu}\n> `)).trim().toLowerCase();
      const hit = choices.find((c) => c.key === answer || c.label.toLowerCase().startsWith(answer) && answer.length > 1);
      if (hit) return hit.key;
    }
  } finally {
    rl.close();
  }
};
