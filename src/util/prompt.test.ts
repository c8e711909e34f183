import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { linePrompt } from "./prompt.js";

const CHOICES = [
  { key: "k", label: "keep mine" },
  { key: "o", label: "take theirs (save mine as .orig)" },
];

function streams() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (d: Buffer) => (shown += d.toString("utf8")));
  return { input, output, shown: () => shown };
}

describe("linePrompt", () => {
  it("asks again on an unknown answer, accepts a key or the start of a label", async () => {
    const s = streams();
    const ask = linePrompt(s.input, s.output);
    s.input.write("zz\nk\n");
    expect(await ask("x.md: what now?", CHOICES)).toBe("k");
    expect(s.shown()).toContain("x.md: what now?\n  [k] keep mine  [o] take theirs (save mine as .orig)\n> ");
    expect(s.shown()).toContain("please answer k, o");
    s.input.write("Take\n");
    expect(await ask("again?", CHOICES)).toBe("o");
  });

  it("keeps answers piped in one chunk for the following questions", async () => {
    const s = streams();
    const ask = linePrompt(s.input, s.output);
    s.input.write("o\nk\n");
    expect(await ask("first?", CHOICES)).toBe("o");
    expect(await ask("second?", CHOICES)).toBe("k");
  });

  it("refuses (exit 3) when the input ends before an answer", async () => {
    const s = streams();
    const ask = linePrompt(s.input, s.output);
    s.input.end("maybe\n");
    await expect(ask("x.md: what now?", CHOICES)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining("nothing was changed") });
    await expect(ask("again?", CHOICES)).rejects.toMatchObject({ exitCode: 3 });
  });
});
