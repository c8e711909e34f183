import { fstatSync, writeSync } from "node:fs";
import { builtin, lazy } from "./lazy.js";
import { terminalSafe } from "./terminal-text.js";
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

import type { AskFn, PromptFn } from "./prompt.js";
import { NO_PROGRESS, terminalProgress, type Progress } from "./progress.js";

export type { AskFn, PromptFn };

/** Everything that touches the outside world; only realDeps() reads process.* */
export interface Deps {
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  io: Io;
  prompt?: PromptFn;
  ask?: AskFn;
  /** a progress line for long work (stderr on a terminal only; absent or NO_PROGRESS elsewhere) */
  progress?: Progress;
  /** the process exit code when the command finishes without throwing (0 unless set) */
  setExitCode(code: number): void;
}

const tty = builtin<typeof import("node:tty")>("node:tty");

/**
 * Whether fd is a terminal. A pipe or a file never is, and fstat says so in microseconds; only a
 * character device is asked of node:tty, whose loading (node:net with it) costs milliseconds.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return tty().isatty(fd);
}

/**
 * Write all of `text` to fd, synchronously, as process.stdout does for files and pipes, but without
 * creating that stream (for a pipe, node:net: ~3 ms of every run). A reader that went away (EPIPE:
 * `agentpkg list | head -1`) ends the output quietly; a full non-blocking pipe is waited for.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EPIPE") return;
      if (code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/**
 * The effective uid of this process (and, for root under sudo, SUDO_UID): what files found above the
 * working folder must be owned by (project/scope.ts). Undefined where there are no uids (Windows).
 */
export function currentUser(): { uid: number; sudoUid?: number } | undefined {
  const uid = process.geteuid?.();
  if (uid === undefined) return undefined;
  const sudo = uid === 0 && process.env.SUDO_UID !== undefined && /^\d+$/.test(process.env.SUDO_UID) ? Number(process.env.SUDO_UID) : undefined;
  return sudo === undefined ? { uid } : { uid, sudoUid: sudo };
}

export function realDeps(): Deps {
  const env = process.env;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  // computed on first use: a run that never asks about terminals never loads node:tty
  const isTTY = lazy(() => isTerminal(1));
  // every line passes terminalSafe(): nothing read from a registry, a lock or a file can steer the terminal
  const line = (t: string) => terminalSafe(t.endsWith("\n") ? t : t + "\n");
  const progress = progressLine(env);
  return {
    cwd: process.cwd(),
    home: env.AGENTPKG_HOME ?? os.homedir(),
    env,
    progress,
    io: {
      out: (t) => (progress.clear(), writeAll(1, line(t))),
      err: (t) => (progress.clear(), writeAll(2, line(t))),
      get isTTY() {
        return isTTY();
      },
      get interactive() {
        return env.CI !== "true" && isTTY() && isTerminal(0);
      },
      get color() {
        return !noColor && env.TERM !== "dumb" && isTTY();
      },
    },
    prompt: (question, choices) => (progress.clear(), terminalPrompt(question, choices)),
    ask: (question) => (progress.clear(), terminalAsk(question)),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/**
 * The progress line of a run: drawn on stderr when it is a terminal (and not in CI, nor TERM=dumb); the
 * terminal is asked only when something reports progress.
 */
function progressLine(env: NodeJS.ProcessEnv): Progress {
  let line: Progress | undefined;
  const get = (): Progress => {
    if (line) return line;
    const on = env.CI !== "true" && env.TERM !== "dumb" && env.AGENTPKG_PROGRESS !== "0" && isTerminal(2);
    line = on
      ? terminalProgress({
          write: (t) => writeAll(2, t),
          columns: () => process.stderr.columns || 80,
          now: () => Date.now(),
          later: (fn, ms) => void setTimeout(fn, ms).unref(),
          ...(/^\d+$/.test(env.AGENTPKG_PROGRESS_DELAY_MS ?? "") ? { delayMs: Number(env.AGENTPKG_PROGRESS_DELAY_MS) } : {}),
        })
      : NO_PROGRESS;
    return line;
  };
  return { update: (t) => get().update(t), clear: () => line?.clear() };
}

/** Cache dir: $XDG_CACHE_HOME/agentpkg or ~/.cache/agentpkg (AGENTPKG_CACHE overrides). */
export function cacheDir(deps: Pick<Deps, "env" | "home">): string {
  if (deps.env.AGENTPKG_CACHE) return deps.env.AGENTPKG_CACHE;
  const base = deps.env.XDG_CACHE_HOME || `${deps.home}/.cache`;
  return `${base}/agentpkg`;
}

let stdinPrompt: PromptFn | undefined;

/**
 * Ask on stderr, read one line from stdin; repeats until the answer is one of the keys. One reader for
 * the whole run (util/prompt.ts), so answers typed ahead are not lost and a closed stdin refuses (exit 3).
 */
export const terminalPrompt: PromptFn = async (question, choices) => {
  const { linePrompt } = await import("./prompt.js");
  stdinPrompt ??= linePrompt(process.stdin, process.stderr);
  return stdinPrompt(question, choices);
};

let stdinLines: import("./prompt.js").LineReader | undefined;

/** Ask on stderr, read one line from stdin (util/prompt.ts); asks again on an empty answer. */
export const terminalAsk: AskFn = async (question) => {
  const { LineReader } = await import("./prompt.js");
  stdinLines ??= new LineReader(process.stdin, process.stderr);
  for (;;) {
    const line = await stdinLines.line(`${question} `);
    if (line === null) {
      const { AgentpkgError } = await import("./errors.js");
      throw new AgentpkgError("E_USAGE", "no answer: the input ended before one was given; nothing was changed");
    }
    if (line.trim()) return line.trim();
  }
};
