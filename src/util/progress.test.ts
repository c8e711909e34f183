import { describe, expect, it } from "vitest";
import { DELAY_MS, terminalProgress } from "./progress.js";

function fakeTerminal(columns = 40) {
  let now = 0;
  const written: string[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  return {
    written,
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0).filter((t) => t.at <= now)) t.fn();
    },
    t: { write: (s: string) => void written.push(s), columns: () => columns, now: () => now, later: (fn: () => void, ms: number) => void timers.push({ at: now + ms, fn }) },
  };
}

describe("terminalProgress", () => {
  it("draws nothing for work that ends within the delay", () => {
    const f = fakeTerminal();
    const p = terminalProgress(f.t);
    p.update("fetching");
    f.advance(DELAY_MS - 1);
    p.clear();
    f.advance(DELAY_MS);
    expect(f.written).toEqual([]);
  });

  it("draws the latest state after the delay, redraws at most every 100 ms, and erases the line at the end", () => {
    const f = fakeTerminal();
    const p = terminalProgress(f.t);
    p.update("one");
    p.update("two");
    f.advance(DELAY_MS);
    expect(f.written).toEqual(["\rtwo\u001b[K"]);
    p.update("three");
    f.advance(100);
    p.update("four");
    p.clear();
    expect(f.written).toEqual(["\rtwo\u001b[K", "\rfour\u001b[K", "\r\u001b[K"]);
  });

  it("fits the terminal's width and never passes control characters through", () => {
    const f = fakeTerminal(20);
    const p = terminalProgress(f.t);
    p.update(`x\u001b[2J${"y".repeat(40)}`);
    f.advance(DELAY_MS);
    const line = f.written[0]!.slice(1, -"\u001b[K".length);
    expect([...line].length).toBe(19);
    expect(line).not.toContain("\u001b");
  });
});
