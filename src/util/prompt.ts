import { createInterface, type Interface } from "node:readline";
import { AgentpkgError, EXIT } from "./errors.js";
import { terminalSafe } from "./terminal-text.js";

/** Asks the user one question; returns the chosen key. Injected (Deps.prompt) so tests can drive prompts. */
export type PromptFn = (question: string, choices: { key: string; label: string }[]) => Promise<string>;

/** Asks for one line of free text (e.g. a description); injected like PromptFn. */
export type AskFn = (question: string) => Promise<string>;

/**
 * Reads answers one line at a time from one input for the whole run. A single readline is kept (paused
 * between questions, so it never holds the process open): lines typed ahead or piped in one chunk are
 * queued, not lost as they would be with a fresh readline per question. No raw mode: the terminal's own
 * line editing applies, and Ctrl-C stays a signal (questions are asked before anything is written).
 */
export class LineReader {
  private rl: Interface | undefined;
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  private ended = false;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  /** Write the prompt, then wait for one line; null once the input has ended. */
  async line(prompt: string): Promise<string | null> {
    this.output.write(terminalSafe(prompt));
    if (this.queue.length) return this.queue.shift()!;
    if (this.ended) return null;
    const rl = this.open();
    rl.resume();
    try {
      return await new Promise<string | null>((resolve) => (this.waiter = resolve));
    } finally {
      if (!this.ended) rl.pause();
    }
  }

  private open(): Interface {
    if (this.rl) return this.rl;
    const rl = createInterface({ input: this.input, terminal: false });
    rl.on("line", (l) => this.deliver(l));
    rl.on("close", () => {
      this.ended = true;
      this.deliver(null);
    });
    return (this.rl = rl);
  }

  private deliver(line: string | null): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(line);
    else if (line !== null) this.queue.push(line);
  }
}

/**
 * A PromptFn over a line input: shows the choices, accepts a key or (two letters or more) the start of
 * a label, asks again on anything else. The input ending before an answer refuses (exit 3).
 */
export function linePrompt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): PromptFn {
  const reader = new LineReader(input, output);
  return async (question, choices) => {
    const menu = choices.map((c) => `[${c.key}] ${c.label}`).join("  ");
    for (;;) {
      const line = await reader.line(`${question}\n  ${menu}\n> `);
      if (line === null) {
        throw new AgentpkgError("E_USAGE", "no answer: the input ended before a choice was made; nothing was changed", {
          exitCode: EXIT.refused,
          hint: "answer on a terminal, or decide up front with --keep, --force, --merge or --yes",
        });
      }
      const answer = line.trim().toLowerCase();
      const hit = choices.find((c) => c.key === answer || (answer.length > 1 && c.label.toLowerCase().startsWith(answer)));
      if (hit) return hit.key;
      output.write(`please answer ${choices.map((c) => c.key).join(", ")}\n`);
    }
  };
}
