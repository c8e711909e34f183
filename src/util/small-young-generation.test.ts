import v8 from "node:v8";
import { describe, expect, it } from "vitest";
import { withSmallYoungGeneration, withSmallYoungGenerationSync } from "./small-young-generation.js";

describe("withSmallYoungGeneration", () => {
  it("puts V8's flags back as they were: a code cache made after it is one the next start accepts", async () => {
    const tag = v8.cachedDataVersionTag();
    let inside = 0;
    await withSmallYoungGeneration(
      async () => {
        inside = v8.cachedDataVersionTag();
        withSmallYoungGenerationSync(() => undefined, { optimizeForSize: true }); // nested: the outer one still holds
        expect(v8.cachedDataVersionTag()).toBe(inside);
      },
      { optimizeForSize: true },
    );
    expect(inside).not.toBe(tag);
    expect(v8.cachedDataVersionTag()).toBe(tag);
  });
});
