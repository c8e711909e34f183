import { describe, expect, it } from "vitest";
import { analyzeWords, matching, type FlagSpec } from "./complete-words.js";

const root: FlagSpec[] = [
  { names: ["-g", "--global"], takesValue: false },
  { names: ["-C", "--cwd"], takesValue: true },
  { names: ["--json"], takesValue: false },
];
const flags: Record<string, FlagSpec[]> = {
  install: [{ names: ["--from"], takesValue: true }, { names: ["--plugin"], takesValue: false }],
  search: [{ names: ["--registry"], takesValue: true }],
  "registry add": [{ names: ["--type"], takesValue: true }],
};
const aliases: Record<string, string> = { i: "install", add: "install", rm: "remove" };
const o = {
  rootFlags: root,
  flagsOf: (c: string, sub?: string) => flags[sub ? `${c} ${sub}` : c] ?? [],
  canonical: (w: string) => aliases[w] ?? (["install", "remove", "search", "registry", "completion"].includes(w) ? w : undefined),
  subcommandsOf: (c: string) => (c === "registry" ? ["add", "list", "remove", "update"] : []),
};

describe("analyzeWords", () => {
  it.each([
    [[""], { kind: "command", cur: "" }],
    [["ins"], { kind: "command", cur: "ins" }],
    [["-g", "-C", "dir", ""], { kind: "command", cur: "" }],
    [["i", ""], { kind: "positional", command: "install", index: 0, cur: "" }],
    [["install", "--from", "x.tgz", "ml", ""], { kind: "positional", command: "install", index: 1, cur: "" }],
    [["install", "--plugin", "k"], { kind: "positional", command: "install", index: 0, cur: "k" }],
    [["install", "--"], { kind: "flag", command: "install", cur: "--" }],
    [["--js"], { kind: "flag", cur: "--js" }],
    [["search", "--registry", ""], { kind: "value", command: "search", flag: "--registry", cur: "" }],
    [["registry", ""], { kind: "positional", command: "registry", index: -1, cur: "" }],
    [["registry", "remove", "t"], { kind: "positional", command: "registry", sub: "remove", index: 0, cur: "t" }],
    [["registry", "add", "--type", ""], { kind: "value", command: "registry", flag: "--type", cur: "" }],
    [["rm", "kit:gr"], { kind: "positional", command: "remove", index: 0, cur: "kit:gr" }],
  ])("%j", (words, request) => expect(analyzeWords(words, o).request).toEqual(request));

  it("notes -g and -C DIR (the scope to read names from)", () => {
    expect(analyzeWords(["-C", "proj", "--global", "remove", ""], o).context).toEqual({ global: true, cwd: "proj" });
    expect(analyzeWords(["--cwd=p", "remove", ""], o).context).toEqual({ global: false, cwd: "p" });
  });
});

describe("matching", () => {
  it("keeps candidates starting with the word, once each, in order", () => {
    expect(matching(["ml-engineer", "default/ml-engineer", "mlx", "ml-engineer"], "ml")).toEqual(["ml-engineer", "mlx"]);
  });
});
