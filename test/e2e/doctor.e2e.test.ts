import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, REPO_ROOT, Sandbox, sha256, snapshot } from "./helpers.js";

let sb: Sandbox;
const V = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "registry.json"), "utf8")).agents["ml-engineer"].versions;
const text = (v: string) => fs.readFileSync(path.join(REPO_ROOT, V[v].path), "utf8");
const TMP = ".claude/agents/.ml-engineer.md.4194999.deadbeef.agentpkg-tmp"; // a pid no process has
const read = (rel: string) => sb.file(rel);

/** What a run upgrading ml-engineer 1.0.0 -> 1.1.0 leaves when killed right after writing its journal. */
function interruptedUpgrade(): void {
  const lockText = read(".claude/agentpkg.lock");
  const lock = JSON.parse(lockText);
  const oldEntry = lock.agents["ml-engineer"];
  const newLock = { ...lock, agents: { ...lock.agents, "ml-engineer": { ...oldEntry, version: "1.1.0", path: V["1.1.0"].path, sha256: V["1.1.0"].sha256 } } };
  sb.write(TMP, text("1.1.0"));
  sb.write(".claude/.agentpkg-journal.json", JSON.stringify({
    journalVersion: 1,
    manifestBefore: sha256(read(".claude/agentpkg.json")),
    lockBefore: sha256(lockText),
    manifest: null,
    lock: newLock,
    files: [{ name: "ml-engineer", file: ".claude/agents/ml-engineer.md", oldSha: sha256(text("1.0.0")), newSha: sha256(text("1.1.0")), tmp: TMP, oldEntry }],
  }));
}

beforeEach(async () => {
  sb = new Sandbox();
  const r = await sb.run(["install", "ml-engineer@~1.0.0", "debugger"]);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => sb.cleanup());

describe("agentpkg doctor", () => {
  it("says so when all is well (exit 0)", async () => {
    const r = await sb.run(["doctor"]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("no problems found");
  });

  it("reports everything an interrupted or careless run leaves, changing nothing; --fix repairs what is safe", async () => {
    interruptedUpgrade();
    sb.write(".claude/agents/.debugger.md.4194999.0badf00d.agentpkg-tmp", "half");
    sb.write(".claude/agents/copy.md", agentText("debugger"));
    sb.write(".claude/agents/debugger.md.orig", "an old backup\n");
    const before = snapshot(sb.project);
    const r = await sb.json(["doctor"]);
    expect(r.code).toBe(4);
    expect(r.data.healthy).toBe(false);
    expect(r.data.findings.map((f: { kind: string }) => f.kind).sort()).toEqual(["backup", "duplicate-name", "journal", "temp", "temp"]);
    expect(r.data.findings.find((f: { kind: string }) => f.kind === "duplicate-name").message).toContain(".claude/agents/copy.md and .claude/agents/debugger.md");
    expect(snapshot(sb.project)).toEqual(before);

    const fix = await sb.json(["doctor", "--fix"]);
    expect(fix.data.fixed).toEqual(["finished an interrupted run (1 file)", "removed 1 leftover temp file"]);
    expect(read(".claude/agents/ml-engineer.md")).toBe(text("1.1.0"));
    expect(JSON.parse(read(".claude/agentpkg.lock")).agents["ml-engineer"].version).toBe("1.1.0");
    expect(fix.data.findings.map((f: { kind: string }) => f.kind).sort()).toEqual(["backup", "duplicate-name"]);
    expect(fix.code).toBe(4);
    fs.rmSync(path.join(sb.project, ".claude/agents/copy.md"));
    const human = await sb.run(["doctor"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("note .claude/agents/debugger.md.orig is a backup");
  });

  it("reports local edits as notes, missing files and manifest/lock disagreement as problems", async () => {
    fs.appendFileSync(path.join(sb.project, ".claude/agents/debugger.md"), "my edit\n");
    fs.rmSync(path.join(sb.project, ".claude/agents/ml-engineer.md"));
    const m = JSON.parse(read(".claude/agentpkg.json"));
    m.agents.extra = "^1.0.0";
    sb.write(".claude/agentpkg.json", JSON.stringify(m));
    const r = await sb.json(["doctor"]);
    expect(r.code).toBe(4);
    expect(r.data.findings).toEqual([
      expect.objectContaining({ kind: "modified", severity: "note", file: ".claude/agents/debugger.md" }),
      expect.objectContaining({ kind: "missing", severity: "problem", hint: "agentpkg install" }),
      expect.objectContaining({ kind: "not-installed", severity: "problem", message: "extra is in .claude/agentpkg.json but not installed" }),
    ]);
  });

  it("the next mutating command finishes an interrupted run first, and keeps an edit made since", async () => {
    interruptedUpgrade();
    fs.appendFileSync(path.join(sb.project, ".claude/agents/ml-engineer.md"), "edited after the crash\n");
    const edited = read(".claude/agents/ml-engineer.md");
    const dry = await sb.run(["install", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("an interrupted run left work to finish");
    expect(fs.existsSync(path.join(sb.project, ".claude/.agentpkg-journal.json"))).toBe(true);
    const r = await sb.run(["install"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("was edited since the interrupted run: left as it is, with its old lock entry");
    expect(read(".claude/agents/ml-engineer.md")).toBe(edited);
    expect(JSON.parse(read(".claude/agentpkg.lock")).agents["ml-engineer"].version).toBe("1.0.0");
    expect(fs.readdirSync(path.join(sb.project, ".claude")).sort()).toEqual(["agentpkg.json", "agentpkg.lock", "agents"]);
    expect(fs.readdirSync(path.join(sb.project, ".claude/agents")).sort()).toEqual(["debugger.md", "ml-engineer.md"]);
  });
});
