import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, BIN, Sandbox, sha256, snapshot, type TestRegistry } from "./helpers.js";

let sb: Sandbox;
let reg: TestRegistry;

const FILE = ".claude/agents/x.md";
const BODY = "You are x.\n\nLine one.\nLine two.\nLine three.\nLine four.\nLine five.\nLine six.\n";
const V1 = agentText("x", { body: BODY });
/** 1.1.0 changes a line near the bottom */
const V11_BOTTOM = agentText("x", { body: BODY.replace("Line six.", "Line six, improved upstream.") });
/** 1.1.0 changes the line the local edit changes */
const V11_TOP = agentText("x", { body: BODY.replace("Line one.", "Line one, upstream.") });
const V11_BASH = agentText("x", { body: BODY, tools: "Read, Grep, Bash" });
const V11_NO_TOOLS = ["---", "name: x", "description: Test agent x", "---", "", BODY].join("\n");

const editTop = () => fs.writeFileSync(path.join(sb.project, FILE), V1.replace("Line one.", "Line one, edited here."));
const lockText = () => sb.file(".claude/agentpkg.lock");
const lockEntry = () => JSON.parse(lockText()).agents.x;

beforeEach(async () => {
  sb = new Sandbox();
  reg = sb.registry();
  reg.publish("x", [{ version: "1.0.0", content: V1 }]);
  expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
  const r = await sb.run(["install", "x"]);
  expect(r.code, r.stderr).toBe(0);
  expect(sb.file(FILE)).toBe(V1);
});
afterEach(() => sb.cleanup());

describe("upgrade --merge", () => {
  it("merges an edit near the top with an upstream change near the bottom, and records it in the lock", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
    const r = await sb.json(["upgrade", "--merge"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.steps).toEqual([expect.objectContaining({ op: "update", name: "x", from: "1.0.0", to: "1.1.0", local: "modified", resolution: "merge" })]);
    const merged = sb.file(FILE);
    expect(merged).toContain("Line one, edited here.");
    expect(merged).toContain("Line six, improved upstream.");
    expect(merged).toBe(V11_BOTTOM.replace("Line one.", "Line one, edited here."));
    expect(lockEntry()).toMatchObject({ version: "1.1.0", sha256: sha256(V11_BOTTOM), localSha256: sha256(merged) });
    const list = await sb.json(["list"]);
    expect(list.data.agents).toEqual([expect.objectContaining({ name: "x", version: "1.1.0", state: "merged" })]);
    // the merged file is still a local edit to the pristine 1.1.0: status and diff say so
    const status = await sb.json(["status"]);
    expect(status.data.agents[0]).toMatchObject({ state: "merged", edits: { added: 1, removed: 1 }, upgrade: null });
    const again = await sb.run(["upgrade"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("up to date");
  });

  it("a conflict (same line edited on both sides) exits 3, leaves file and lock alone, and writes x.md.conflict", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_TOP }]);
    const edited = sb.file(FILE);
    const lock = lockText();
    const r = await sb.run(["upgrade", "--merge"]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain(`${FILE}.conflict`);
    expect(sb.file(FILE)).toBe(edited);
    expect(lockText()).toBe(lock);
    const conflict = sb.file(`${FILE}.conflict`);
    expect(conflict).toMatch(/^<<<<<<< local$/m);
    expect(conflict).toContain("Line one, edited here.");
    expect(conflict).toContain("Line one, upstream.");
    expect(conflict).toMatch(/^>>>>>>> 1\.1\.0$/m);
    // the conflict file is not something Claude Code would load as an agent
    expect((await sb.json(["list"])).data.untracked).toEqual([]);
  });

  it("after a conflict, --resolved takes the new version and records the hand-merged file", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_TOP }]);
    expect((await sb.run(["upgrade", "--merge"])).code).toBe(3);
    // still conflicted: the markers are refused
    fs.copyFileSync(path.join(sb.project, `${FILE}.conflict`), path.join(sb.project, FILE));
    const before = snapshot(sb.project);
    const marked = await sb.run(["upgrade", "--resolved"]);
    expect(marked.code).toBe(3);
    expect(marked.stderr).toContain("still has conflict markers");
    expect(snapshot(sb.project)).toEqual(before);
    // resolved by hand
    const mine = V11_TOP.replace("Line one, upstream.", "Line one, upstream and edited here.");
    fs.writeFileSync(path.join(sb.project, FILE), mine);
    const r = await sb.run(["upgrade", "--resolved"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(FILE)).toBe(mine);
    expect(lockEntry()).toMatchObject({ version: "1.1.0", sha256: sha256(V11_TOP), localSha256: sha256(mine) });
    expect((await sb.json(["list"])).data.agents[0]).toMatchObject({ version: "1.1.0", state: "merged" });
    expect((await sb.run(["verify"])).code).toBe(0);
  });

  it("merges frontmatter by field: ours changes description, theirs changes tools", async () => {
    fs.writeFileSync(path.join(sb.project, FILE), V1.replace("description: Test agent x", "description: Our own words for x"));
    const theirs = agentText("x", { body: BODY, tools: "Read, Grep, Glob" });
    reg.publish("x", [{ version: "1.1.0", content: theirs }]);
    const r = await sb.run(["upgrade", "--merge"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(FILE)).toBe(theirs.replace("description: Test agent x", "description: Our own words for x"));
  });
});

describe("--keep and --force", () => {
  beforeEach(() => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
  });

  it("refuses without a flag: exit 3, the file listed with a diff stat and the ways out", async () => {
    const before = snapshot(sb.project);
    const r = await sb.run(["upgrade"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${FILE} (modified: +1 -1)`);
    for (const way of ["--keep", "--force", "--merge", "agentpkg diff"]) expect(r.stderr).toContain(way);
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("--keep leaves the file and its lock entry as they are; status still shows the pending upgrade", async () => {
    const edited = sb.file(FILE);
    const lock = lockText();
    const r = await sb.json(["upgrade", "--keep"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.steps).toEqual([expect.objectContaining({ name: "x", resolution: "keep" })]);
    expect(sb.file(FILE)).toBe(edited);
    expect(lockText()).toBe(lock);
    const status = await sb.json(["status"]);
    expect(status.data.agents).toEqual([expect.objectContaining({ name: "x", version: "1.0.0", state: "modified", upgrade: "1.1.0" })]);
    const human = await sb.run(["status"]);
    expect(human.stdout).toMatch(/x\s+1\.0\.0\s+team\s+modified \(\+1 -1\)\s+1\.1\.0 available/);
  });

  it("--force overwrites after saving x.md.orig", async () => {
    const edited = sb.file(FILE);
    const r = await sb.run(["upgrade", "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`saved your edited copy as ${FILE}.orig`);
    expect(sb.file(FILE)).toBe(V11_BOTTOM);
    expect(sb.file(`${FILE}.orig`)).toBe(edited);
    expect(lockEntry()).toMatchObject({ version: "1.1.0", sha256: sha256(V11_BOTTOM) });
    expect(lockEntry().localSha256).toBeUndefined();
    expect((await sb.json(["list"])).data.agents[0].state).toBe("ok");
  });

  it("combining --keep and --force is a usage error", async () => {
    expect((await sb.run(["upgrade", "--keep", "--force"])).code).toBe(2);
  });
});

describe("permission changes", () => {
  it("a new version adding Bash is refused without --yes (nothing changed) and applied with it", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11_BASH }]);
    const before = snapshot(sb.project);
    const refused = await sb.run(["upgrade"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("Bash");
    expect(refused.stderr).toContain("--yes");
    expect(snapshot(sb.project)).toEqual(before);
    const dry = await sb.run(["upgrade", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("permission changes:");
    expect(dry.stdout).toContain("Bash");
    expect(snapshot(sb.project)).toEqual(before);
    const yes = await sb.run(["upgrade", "--yes"]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(sb.file(FILE)).toBe(V11_BASH);
    expect(lockEntry().version).toBe("1.1.0");
  });

  it("dropping the tools list (inherit every tool) also needs --yes", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11_NO_TOOLS }]);
    const before = snapshot(sb.project);
    const refused = await sb.json(["upgrade"]);
    expect(refused.code).toBe(3);
    expect(refused.data.error.code).toBe("E_PERMISSIONS");
    expect(refused.data.error.data.permissionChanges[0].changes[0]).toMatchObject({ field: "tools", kind: "tools-unrestricted" });
    expect(snapshot(sb.project)).toEqual(before);
    expect((await sb.run(["upgrade", "-y"])).code).toBe(0);
    expect(sb.file(FILE)).toBe(V11_NO_TOOLS);
  });

  it("a merge that also adds Bash still needs --yes", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_BASH }]);
    const before = snapshot(sb.project);
    expect((await sb.run(["upgrade", "--merge"])).code).toBe(3);
    expect(snapshot(sb.project)).toEqual(before);
    expect((await sb.run(["upgrade", "--merge", "--yes"])).code).toBe(0);
    expect(sb.file(FILE)).toBe(V11_BASH.replace("Line one.", "Line one, edited here."));
  });
});

describe("status and diff", () => {
  it("report the edit, untracked files and a pending upgrade", async () => {
    expect((await sb.json(["status"])).data.agents).toEqual([expect.objectContaining({ name: "x", state: "ok", edits: null, upgrade: null })]);
    expect((await sb.run(["diff"])).stdout.trim()).toBe("no local edits");
    editTop();
    sb.write(".claude/agents/stray.md", agentText("stray"));
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
    const status = await sb.json(["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.data).toMatchObject({
      agents: [expect.objectContaining({ name: "x", state: "modified", edits: { added: 1, removed: 1 }, upgrade: "1.1.0" })],
      untracked: [".claude/agents/stray.md"],
      problems: [],
    });
    const diff = await sb.run(["diff", "x"]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain(`--- x@1.0.0\n+++ ${FILE}\n`);
    expect(diff.stdout).toContain("-Line one.\n+Line one, edited here.\n");
    expect(diff.stdout).not.toContain("\u001b[");
    const json = await sb.json(["diff", "x"]);
    expect(json.data.diffs).toEqual([expect.objectContaining({ name: "x", file: FILE, version: "1.0.0", diff: expect.stringContaining("+Line one, edited here.") })]);
    const up = await sb.run(["diff", "--upstream"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`--- ${FILE}\n+++ x@1.1.0\n`);
    expect(up.stdout).toContain("-Line one, edited here.\n+Line one.\n");
    expect(up.stdout).toContain("-Line six.\n+Line six, improved upstream.");
  });

  it("a deleted file shows as missing; diff of an unknown agent exits 5", async () => {
    fs.rmSync(path.join(sb.project, FILE));
    expect((await sb.json(["status"])).data.agents[0].state).toBe("missing");
    const d = await sb.run(["diff"]);
    expect(d.stdout).toContain(`+++ ${FILE} (deleted)`);
    const unknown = await sb.run(["diff", "nope"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain("nope is not installed");
  });

  it("status reports an unreachable registry instead of failing", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
    fs.renameSync(reg.dir, `${reg.dir}-gone`);
    const r = await sb.json(["status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.agents[0]).toMatchObject({ name: "x", state: "ok", upgrade: null });
    expect(r.data.problems).toEqual([expect.stringMatching(/unreachable.*x/)]);
  });
});

describe("--dry-run", () => {
  it("of upgrade, remove and install leaves every file byte-identical and shows the plan", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
    reg.publish("y", [{ version: "1.0.0", content: agentText("y") }]);
    const before = snapshot(sb.project);
    const merge = await sb.run(["upgrade", "--merge", "--dry-run"]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toContain("~ x 1.0.0 -> 1.1.0  (locally modified, merged)");
    expect(merge.stdout).toContain("dry run");
    const refused = await sb.run(["upgrade", "--dry-run"]);
    expect(refused.code).toBe(3);
    const rm = await sb.run(["remove", "x", "--force", "--dry-run"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toContain("- x 1.0.0");
    const add = await sb.run(["install", "y", "--dry-run"]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("+ y 1.0.0");
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("shows a conflicting merge without writing the conflict file", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_TOP }]);
    const before = snapshot(sb.project);
    const r = await sb.run(["upgrade", "--merge", "--dry-run"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("conflict");
    expect(snapshot(sb.project)).toEqual(before);
  });
});

describe("on a terminal", () => {
  // script(1) from util-linux gives the CLI a pseudo-TTY; the answers are typed ahead on its stdin
  const onTty = (args: string, input: string) =>
    execa("script", ["-qec", `node '${BIN}' ${args}`, "/dev/null"], { cwd: sb.project, env: { ...sb.env, TERM: "dumb" }, extendEnv: false, input, reject: false });

  it("upgrade asks per file: d shows the diff, m merges", async () => {
    editTop();
    reg.publish("x", [{ version: "1.1.0", content: V11_BOTTOM }]);
    const r = await onTty("upgrade", "d\nm\n");
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain(`${FILE} (modified: +1 -1): what now?`);
    expect(r.stdout).toContain("[k] keep mine  [o] take theirs (save mine as .orig)  [m] merge  [d] show diff");
    expect(r.stdout).toContain("+Line one, edited here.");
    expect(sb.file(FILE)).toBe(V11_BOTTOM.replace("Line one.", "Line one, edited here."));
  });

  it("a permission change is confirmed with y; closing stdin instead changes nothing", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11_BASH }]);
    const before = snapshot(sb.project);
    const closed = await onTty("upgrade", "");
    expect(closed.exitCode, closed.stdout).toBe(3);
    expect(closed.stdout).toContain("Apply them?");
    expect(snapshot(sb.project)).toEqual(before);
    const yes = await onTty("upgrade", "y\n");
    expect(yes.exitCode, yes.stdout).toBe(0);
    expect(sb.file(FILE)).toBe(V11_BASH);
  });
});
