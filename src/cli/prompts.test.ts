import { describe, expect, it } from "vitest";
import type { Deps } from "../util/deps.js";
import type { Step } from "../plan/plan.js";
import { changePrompts } from "./prompts.js";

/** The choices each question offered, answering `k` (keep). */
function asked(op: Step["op"], canMerge: boolean) {
  const offered: string[][] = [];
  const deps = {
    cwd: "/p",
    home: "/h",
    env: {},
    io: { out: () => undefined, err: () => undefined, isTTY: true, interactive: true, color: false },
    setExitCode: () => undefined,
    prompt: async (_q: string, choices: { key: string; label: string }[]) => (offered.push(choices.map((c) => `${c.key}: ${c.label}`)), "k"),
  } as unknown as Deps;
  const step = { op, name: "x", kind: "agent", file: ".claude/agents/x.md" } as unknown as Step;
  return { run: () => changePrompts(deps)!.localEdit({ step, summary: ".claude/agents/x.md (modified)", canMerge, diff: async () => "" }), offered };
}

describe("the local-edit question", () => {
  it("an update offers keep, take theirs, merge and the diff", async () => {
    const q = asked("update", true);
    expect(await q.run()).toBe("keep");
    expect(q.offered).toEqual([["k: keep mine", "o: take theirs (save mine as .orig)", "m: merge", "d: show diff"]]);
  });

  it("a remove has nothing to take or merge: it offers keeping the file untracked or deleting it", async () => {
    const q = asked("remove", false);
    await q.run();
    expect(q.offered).toEqual([["k: keep mine (left in place, untracked)", "o: delete it (save mine as .orig)", "d: show diff"]]);
  });
});
