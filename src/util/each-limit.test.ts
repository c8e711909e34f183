import { describe, expect, it } from "vitest";
import { eachLimit } from "./each-limit.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("eachLimit", () => {
  it("runs every item, never more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await eachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it("starts nothing new after a failure, lets running items finish, throws the first error", async () => {
    const finished: number[] = [];
    const run = eachLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      await tick();
      if (n === 2) throw new Error("two");
      if (n === 3) throw new Error("three");
      finished.push(n);
    });
    await expect(run).rejects.toThrow("two");
    expect(finished).toEqual([1]);
  });

  it("handles no items", async () => {
    await expect(eachLimit([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
