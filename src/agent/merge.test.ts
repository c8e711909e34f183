import { describe, expect, it } from "vitest";
import { mergeAgent } from "./merge.js";

const agent = (fm: string[], body: string[]): string => ["---", ...fm, "---", ...body].join("\n") + "\n";

const [NAME, DESC, TOOLS, MODEL] = ["name: reviewer", 'description: "Reviews code: finds bugs"', "tools: Read, Grep, Glob", "model: sonnet"] as const;
const FM: string[] = [NAME, DESC, TOOLS, MODEL];
const BODY = ["# Reviewer", "", "You review code.", "", "Step one.", "Step two.", "Step three.", "", "Be concise."];
const BASE = agent(FM, BODY);

const withLine = (lines: string[], i: number, value: string): string[] => lines.map((l, j) => (j === i ? value : l));

describe("mergeAgent: short-circuits", () => {
  const ours = agent(FM, withLine(BODY, 0, "# Code Reviewer"));
  const theirs = agent(withLine(FM, 3, "model: opus"), BODY);
  it.each([
    ["theirs == base -> ours exactly", BASE, ours, BASE, ours],
    ["ours == base -> theirs exactly", BASE, BASE, theirs, theirs],
    ["ours == theirs -> ours", BASE, ours, ours, ours],
    ["ours == base, theirs without final newline", BASE, BASE, theirs.trimEnd(), theirs.trimEnd()],
    ["ours == base, theirs in CRLF", BASE, BASE, theirs.replace(/\n/g, "\r\n"), theirs.replace(/\n/g, "\r\n")],
  ])("%s", (_name, base, o, t, expected) => {
    expect(mergeAgent(base, o, t)).toEqual({ clean: true, text: expected, conflicts: 0 });
  });
});

describe("mergeAgent: body", () => {
  it("merges an edit near the top (ours) with one near the bottom (theirs)", () => {
    const ours = agent(FM, withLine(BODY, 0, "# Code Reviewer"));
    const theirs = agent(FM, withLine(BODY, 8, "Be very concise."));
    const r = mergeAgent(BASE, ours, theirs);
    expect(r).toEqual({ clean: true, conflicts: 0, text: agent(FM, withLine(withLine(BODY, 0, "# Code Reviewer"), 8, "Be very concise.")) });
  });

  it("reports a conflict with diff3-style markers when both edit the same line", () => {
    const ours = agent(FM, withLine(BODY, 5, "Step two (ours)."));
    const theirs = agent(FM, withLine(BODY, 5, "Step two (theirs)."));
    const r = mergeAgent(BASE, ours, theirs);
    expect(r.clean).toBe(false);
    expect(r.conflicts).toBe(1);
    expect(r.text).toContain(
      ["Step one.", "<<<<<<< ours", "Step two (ours).", "||||||| base", "Step two.", "=======", "Step two (theirs).", ">>>>>>> theirs", "Step three."].join("\n"),
    );
  });

  it("uses custom labels", () => {
    const ours = agent(FM, withLine(BODY, 5, "A"));
    const theirs = agent(FM, withLine(BODY, 5, "B"));
    const r = mergeAgent(BASE, ours, theirs, { ours: "local", base: "1.0.0", theirs: "1.1.0" });
    expect(r.text).toMatch(/^<<<<<<< local$/m);
    expect(r.text).toMatch(/^\|\|\|\|\|\|\| 1\.0\.0$/m);
    expect(r.text).toMatch(/^>>>>>>> 1\.1\.0$/m);
  });

  it("treats identical changes on both sides as clean", () => {
    const changed = (extra: string) => agent(withLine(FM, 3, "model: opus"), [...withLine(BODY, 5, "Step 2."), extra]);
    const ours = changed("ours tail");
    const theirs = agent(withLine(FM, 3, "model: opus"), withLine(BODY, 5, "Step 2."));
    const r = mergeAgent(BASE, ours, theirs);
    expect(r).toEqual({ clean: true, conflicts: 0, text: ours });
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])("handles a body line named %s", (word) => {
    const ours = agent(FM, [...BODY.slice(0, 2), word, ...BODY.slice(2)]);
    const theirs = agent(FM, withLine(BODY, 8, word));
    const r = mergeAgent(BASE, ours, theirs);
    expect(r.clean).toBe(true);
    expect(r.text).toBe(agent(FM, [...BODY.slice(0, 2), word, ...withLine(BODY, 8, word).slice(2)]));
  });
});

describe("mergeAgent: frontmatter by field", () => {
  it("applies a description change (ours) and a tools change (theirs), keeping other lines byte-identical", () => {
    const fm = ["name: reviewer", "description: 'Reviews: code'  # keep me", "tools: Read, Grep", "color: blue", "model: sonnet"];
    const base = agent(fm, BODY);
    const ours = agent(withLine(fm, 1, "description: Reviews code thoroughly"), BODY);
    const theirs = agent(withLine(fm, 2, "tools:\n  - Read\n  - Grep\n  - Glob"), BODY);
    const r = mergeAgent(base, ours, theirs);
    expect(r.clean).toBe(true);
    expect(r.text).toBe(
      agent(["name: reviewer", "description: Reviews code thoroughly", "tools:\n  - Read\n  - Grep\n  - Glob", "color: blue", "model: sonnet"], BODY),
    );
  });

  it("conflicts when both sides change model differently", () => {
    const ours = agent(withLine(FM, 3, "model: haiku"), BODY);
    const theirs = agent(withLine(FM, 3, "model: opus"), BODY);
    const r = mergeAgent(BASE, ours, theirs);
    expect(r).toMatchObject({ clean: false, conflicts: 1 });
    expect(r.text).toBe(
      agent([...FM.slice(0, 3), "<<<<<<< ours", "model: haiku", "||||||| base", "model: sonnet", "=======", "model: opus", ">>>>>>> theirs"], BODY),
    );
  });

  it("is clean when both sides change a field to the same value with different formatting", () => {
    const ours = agent(withLine(FM, 3, "model: opus"), BODY);
    const theirs = agent(withLine(FM, 3, 'model: "opus"'), withLine(BODY, 0, "# R"));
    expect(mergeAgent(BASE, ours, theirs)).toEqual({ clean: true, conflicts: 0, text: agent(withLine(FM, 3, "model: opus"), withLine(BODY, 0, "# R")) });
  });

  it.each([
    ["ours removes a key theirs left alone", [NAME, DESC, TOOLS], FM, [NAME, DESC, TOOLS]],
    ["theirs removes a key ours left alone", FM, [NAME, DESC, MODEL], [NAME, DESC, MODEL]],
    ["theirs adds a key (appended)", FM, [NAME, "color: red", DESC, TOOLS, MODEL], [...FM, "color: red"]],
    ["ours adds, theirs adds another", [...FM, "color: red"], [...FM, "memory: user"], [...FM, "color: red", "memory: user"]],
  ] as const)("%s", (_name, oursFm, theirsFm, expectedFm) => {
    const ours = agent([...oursFm], withLine(BODY, 0, "# ours"));
    const theirs = agent([...theirsFm], BODY);
    expect(mergeAgent(BASE, ours, theirs)).toEqual({ clean: true, conflicts: 0, text: agent([...expectedFm], withLine(BODY, 0, "# ours")) });
  });

  it("conflicts when ours removes a key that theirs changed", () => {
    const ours = agent(FM.slice(0, 3), BODY);
    const theirs = agent(withLine(FM, 3, "model: opus"), BODY);
    const r = mergeAgent(BASE, ours, theirs);
    expect(r).toMatchObject({ clean: false, conflicts: 1 });
    expect(r.text).toContain(["<<<<<<< ours", "||||||| base", "model: sonnet", "=======", "model: opus", ">>>>>>> theirs"].join("\n"));
  });

  it("counts frontmatter and body conflicts together", () => {
    const ours = agent(withLine(FM, 3, "model: haiku"), withLine(BODY, 5, "A"));
    const theirs = agent(withLine(FM, 3, "model: opus"), withLine(BODY, 5, "B"));
    expect(mergeAgent(BASE, ours, theirs)).toMatchObject({ clean: false, conflicts: 2 });
  });

  it("falls back to a whole-file line merge when a side's frontmatter is invalid YAML", () => {
    const broken = withLine(FM, 1, "description: [unclosed");
    const ours = agent(broken, BODY);
    const theirs = agent(FM, withLine(BODY, 8, "Bye."));
    expect(mergeAgent(BASE, ours, theirs)).toEqual({ clean: true, conflicts: 0, text: agent(broken, withLine(BODY, 8, "Bye.")) });
  });
});

describe("mergeAgent: line endings", () => {
  const crlf = (s: string) => s.replace(/\n/g, "\r\n");

  it("keeps CRLF when ours uses CRLF", () => {
    const ours = crlf(agent(FM, withLine(BODY, 0, "# Top")));
    const theirs = agent(withLine(FM, 3, "model: opus"), withLine(BODY, 8, "Bottom."));
    const r = mergeAgent(BASE, ours, theirs);
    expect(r.clean).toBe(true);
    expect(r.text).toBe(crlf(agent(withLine(FM, 3, "model: opus"), withLine(withLine(BODY, 0, "# Top"), 8, "Bottom."))));
  });

  it("keeps LF when ours uses LF even if theirs is CRLF", () => {
    const ours = agent(FM, withLine(BODY, 0, "# Top"));
    const theirs = crlf(agent(FM, withLine(BODY, 8, "Bottom.")));
    expect(mergeAgent(BASE, ours, theirs).text).toBe(agent(FM, withLine(withLine(BODY, 0, "# Top"), 8, "Bottom.")));
  });

  it.each([
    ["ours drops final newline", (s: string) => s.trimEnd(), (s: string) => s, false],
    ["theirs drops final newline (ours unchanged there)", (s: string) => s, (s: string) => s.trimEnd(), false],
    ["neither changes it", (s: string) => s, (s: string) => s, true],
  ])("final newline: %s", (_name, fo, ft, expected) => {
    const r = mergeAgent(BASE, fo(agent(FM, withLine(BODY, 0, "# Top"))), ft(agent(FM, withLine(BODY, 8, "End."))));
    expect(r.clean).toBe(true);
    expect(r.text.endsWith("\n")).toBe(expected);
  });
});
