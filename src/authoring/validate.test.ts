import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Deps } from "../util/deps.js";
import { formatProblem, runValidate } from "./validate.js";
import { findAgentFiles } from "../project/agents-dir.js";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-validate-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const deps = (): Deps => ({
  cwd: root,
  home: path.join(root, "home"),
  env: {},
  io: { out: () => {}, err: () => {}, isTTY: false, interactive: false, color: false },
  setExitCode: () => {},
});
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const agent = (name: string, extra = "tools: [Read]") => `---\nname: ${name}\ndescription: d\n${extra}\n---\nbody\n`;

describe("findAgentFiles", () => {
  it("walks like Claude Code: recursive, *.md only (case-sensitive), dotfiles included, symlink loops visited once", () => {
    write("a/x.md", agent("x"));
    write("a/deep/er/y.md", agent("y"));
    write("a/.hidden.md", agent("h"));
    write("a/notes.MD", "x");
    write("a/x.md.orig", "x");
    fs.symlinkSync("..", path.join(root, "a/deep/loop"));
    const found = findAgentFiles(path.join(root, "a"));
    return expect(found.then((f) => f.map((x) => path.relative(root, x.abs)))).resolves.toEqual(["a/.hidden.md", "a/deep/er/y.md", "a/x.md"]);
  });
});

describe("runValidate", () => {
  it("defaults to .claude/agents; duplicate names are errors on both files", async () => {
    write(".claude/agents/one.md", agent("same"));
    write(".claude/agents/sub/two.md", agent("same"));
    const r = await runValidate({ paths: [] }, deps());
    expect(r.searched).toEqual([path.join(".claude", "agents")]);
    expect(r.errors).toBe(2);
    expect(r.files.flatMap((f) => f.problems.map((p) => p.code))).toContain("duplicate-name");
  });

  it("an explicit missing path is not found (exit 5)", async () => {
    await expect(runValidate({ paths: ["nope.md"] }, deps())).rejects.toMatchObject({ code: "E_NOT_FOUND", exitCode: 5 });
  });

  it("a file over 1 MiB is an error without being parsed", async () => {
    write("big.md", agent("big") + "x".repeat(1024 * 1024));
    const r = await runValidate({ paths: ["big.md"] }, deps());
    expect(r.files[0]!.problems.map((p) => p.code)).toEqual(["file-too-large"]);
  });

  it("--fix --dry-run shows the diff and writes nothing; --fix writes and reports what is left", async () => {
    const before = "---\nName: x\ndescription: d\ntools: Read, Grep\n---\nbody\n";
    write("x.md", before);
    const dry = await runValidate({ paths: ["x.md"], fix: true, dryRun: true }, deps());
    expect(fs.readFileSync(path.join(root, "x.md"), "utf8")).toBe(before);
    expect(dry.fixed).toBe(1);
    expect(dry.files[0]!.diff).toContain("-Name: x\n+name: x");
    expect(dry.errors).toBe(1);
    const real = await runValidate({ paths: ["x.md"], fix: true }, deps());
    expect(fs.readFileSync(path.join(root, "x.md"), "utf8")).toBe("---\nname: x\ndescription: d\ntools:\n  - Read\n  - Grep\n---\nbody\n");
    expect(real).toMatchObject({ errors: 0, warnings: 0, fixed: 1 });
  });

  it("--fix never writes through a symlink or a symlinked folder: it says which file to name instead", async () => {
    const text = "---\nname: x\ndescription: d\ntools: Read\n---\nbody\n";
    write("real/x.md", text);
    write("elsewhere/y.md", text.replace("name: x", "name: y"));
    fs.mkdirSync(path.join(root, "agents"));
    fs.symlinkSync(path.join(root, "real/x.md"), path.join(root, "agents/x.md"));
    fs.symlinkSync(path.join(root, "elsewhere"), path.join(root, "agents/linked"));
    const r = await runValidate({ paths: ["agents"], fix: true }, deps());
    expect(fs.lstatSync(path.join(root, "agents/x.md")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(root, "real/x.md"), "utf8")).toBe(text);
    expect(fs.readFileSync(path.join(root, "elsewhere/y.md"), "utf8")).toBe(text.replace("name: x", "name: y"));
    expect(r.fixed).toBe(0);
    expect(r.files.map((f) => f.notFixed)).toEqual([
      expect.stringMatching(/^it is reached through a symlinked folder; to fix that file, name it: agentpkg validate --fix elsewhere\/y\.md$/),
      expect.stringMatching(/^it is a symlink \(to real\/x\.md\); to fix that file, name it: agentpkg validate --fix real\/x\.md$/),
    ]);
    // named, the real file is fixed in place, keeping its mode
    fs.chmodSync(path.join(root, "real/x.md"), 0o600);
    const named = await runValidate({ paths: ["real/x.md"], fix: true }, deps());
    expect(named.fixed).toBe(1);
    expect(fs.readFileSync(path.join(root, "real/x.md"), "utf8")).toContain("tools:\n  - Read\n");
    expect(fs.statSync(path.join(root, "real/x.md")).mode & 0o777).toBe(0o600);
  });

  it("formats problems as file:line: severity code: message", () => {
    expect(formatProblem("a.md", { severity: "error", code: "c", message: "m", line: 3 })).toBe("a.md:3: error c: m");
    expect(formatProblem("a.md", { severity: "warning", code: "c", message: "m" })).toBe("a.md: warning c: m");
  });
});
