// Issue #14, items 14-16: flows that used to leave a project (or the cache) in a state no later command
// could repair. Each test reproduces the report through the built CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, sha256, snapshot, writeRegistry } from "./helpers.js";

/** One line of error, no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines[0], stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(lines.filter((l) => !l.startsWith("hint:")).length, stderr).toBe(1);
}

describe("an I/O error while files are put in place (#14.14)", () => {
  const AGENTS = Array.from({ length: 100 }, (_, i) => `a${String(i).padStart(2, "0")}`);
  const body = (name: string, v: string) => agentText(name, { body: `You are ${name}, version ${v}.\n` });
  let sb: Sandbox;
  const agentsDir = () => path.join(sb.project, ".claude/agents");
  const claude = () => snapshot(path.join(sb.project, ".claude"));
  const onDisk = (name: string) => fs.readFileSync(path.join(agentsDir(), `${name}.md`), "utf8");

  beforeAll(async () => {
    sb = new Sandbox();
    const agents: Record<string, Record<string, string>> = {};
    for (const a of AGENTS) agents[a] = { "1.0.0": body(a, "1.0.0"), "2.0.0": body(a, "2.0.0") };
    const reg = writeRegistry(path.join(sb.root, "big"), agents);
    expect((await sb.run(["registry", "add", "big", reg])).code).toBe(0);
    const r = await sb.run(["install", ...AGENTS.map((a) => `${a}@1.0.0`)]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(() => sb.cleanup());

  it("an upgrade of 100 agents meeting an immutable file halfway puts every file back and names it", async () => {
    const before = claude();
    sb.immutable(".claude/agents/a50.md");
    const r = await sb.run(["upgrade", "--latest"]);
    expect(r.code, r.stderr).toBe(1);
    expectOneLineError(r.stderr, /cannot write \.claude\/agents\/a50\.md: operation not permitted.*nothing was changed/);
    // old lock, old manifest, old files: no journal, no temp file, no old copy left behind
    expect(claude()).toEqual(before);
    expect(onDisk("a49")).toBe(body("a49", "1.0.0"));
    // every later command still works, and the same upgrade says the same thing
    expect((await sb.run(["verify"])).code).toBe(0);
    const again = await sb.run(["upgrade", "--latest"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a50\.md: operation not permitted/);
    expect(claude()).toEqual(before);
  }, 60_000);

  it("removing agents puts deleted files back when one cannot be deleted", async () => {
    const before = claude();
    const r = await sb.run(["remove", "a10", "a50", "a90"]);
    expect(r.code, r.stderr).toBe(1);
    expectOneLineError(r.stderr, /cannot write \.claude\/agents\/a50\.md: operation not permitted/);
    expect(claude()).toEqual(before);
    expect(onDisk("a10")).toBe(body("a10", "1.0.0"));
  }, 30_000);

  it("an immutable lockfile (written last) undoes the agent files and the manifest", async () => {
    sb.mutable(".claude/agents/a50.md");
    sb.immutable(".claude/agentpkg.lock");
    const before = claude();
    const r = await sb.run(["upgrade", "--latest"]);
    expect(r.code, r.stderr).toBe(1);
    expectOneLineError(r.stderr, /cannot write \.claude\/agentpkg\.lock: operation not permitted/);
    expect(claude()).toEqual(before);
    sb.mutable(".claude/agentpkg.lock");
  }, 30_000);

  it("once the file is writable again, the upgrade goes through", async () => {
    const r = await sb.run(["upgrade", "--latest"]);
    expect(r.code, r.stderr).toBe(0);
    for (const a of AGENTS) expect(onDisk(a)).toBe(body(a, "2.0.0"));
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect(Object.values(lock.agents).every((e: any) => e.version === "2.0.0")).toBe(true);
    expect((await sb.run(["verify"])).code).toBe(0);
  }, 30_000);

  it("a run killed mid-apply is finished later even if one file cannot be written: that file keeps its old entry", async () => {
    // what `kill -9` right after the journal leaves: a01..a03 going back to 1.0.0, new texts staged, nothing renamed
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    const newLock = structuredClone(lock);
    const files = ["a01", "a02", "a03"].map((a) => {
      const tmp = `.claude/agents/.${a}.md.4194999.0badf00d.agentpkg-tmp`;
      sb.write(tmp, body(a, "1.0.0"));
      newLock.agents[a] = { ...lock.agents[a], version: "1.0.0", path: `agents/${a}/1.0.0.md`, sha256: sha256(body(a, "1.0.0")) };
      manifest.agents[a] = "^1.0.0";
      return { name: a, file: `.claude/agents/${a}.md`, oldSha: sha256(body(a, "2.0.0")), newSha: sha256(body(a, "1.0.0")), tmp, oldEntry: lock.agents[a] };
    });
    const journal = {
      journalVersion: 1,
      manifestBefore: sha256(sb.file(".claude/agentpkg.json")),
      lockBefore: sha256(sb.file(".claude/agentpkg.lock")),
      manifest: JSON.stringify(manifest, null, 2) + "\n",
      lock: newLock,
      files,
    };
    sb.write(".claude/.agentpkg-journal.json", JSON.stringify(journal));
    sb.immutable(".claude/agents/a02.md");
    const r = await sb.json(["doctor", "--fix"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.fixed.join("\n")).toMatch(/\.claude\/agents\/a02\.md could not be written \(operation not permitted.*\): left at its old version/);
    expect([onDisk("a01"), onDisk("a02"), onDisk("a03")]).toEqual([body("a01", "1.0.0"), body("a02", "2.0.0"), body("a03", "1.0.0")]);
    const after = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect([after.agents.a01.version, after.agents.a02.version, after.agents.a03.version]).toEqual(["1.0.0", "2.0.0", "1.0.0"]);
    expect(sb.exists(".claude/.agentpkg-journal.json")).toBe(false);
    // the project works: verify names the one range the lock does not meet yet, and install brings it in once writable
    const v = await sb.json(["verify"]);
    expect(v.data.problems).toEqual([expect.objectContaining({ kind: "range", name: "a02" })]);
    sb.mutable(".claude/agents/a02.md");
    expect((await sb.run(["install"])).code).toBe(0);
    expect(onDisk("a02")).toBe(body("a02", "1.0.0"));
    expect((await sb.run(["verify"])).code).toBe(0);
  }, 30_000);
});

describe("a registry whose history was rewritten: the locked commit is gone (#14.15)", () => {
  const v1 = agentText("rev", { body: "You review, version 1.\n" });
  const v1b = agentText("rev", { body: "You review, version 1, reworded after the force-push.\n" });
  const v2 = agentText("rev", { body: "You review, version 2.\n" });
  const other1 = agentText("other", { body: "Other, version 1.\n" });
  const other2 = agentText("other", { body: "Other, version 2.\n" });
  let sb: Sandbox;
  let reg: ReturnType<Sandbox["registry"]>;
  const emptyCache = () => fs.rmSync(path.join(sb.root, "cache"), { recursive: true, force: true });

  beforeEach(async () => {
    sb = new Sandbox();
    reg = sb.registry("team");
    reg.publish("rev", [{ version: "1.0.0", content: v1 }]);
    reg.publish("other", [{ version: "1.0.0", content: other1 }]);
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    expect((await sb.run(["install", "rev", "other"])).code).toBe(0);
  });
  afterEach(() => sb.cleanup());

  it("upgrade moves on to the new head; an edited file can be kept or overwritten, and a merge says why it cannot", async () => {
    // the rewrite also rewords rev@1.0.0: the installed version's bytes exist nowhere but in the edited file's past
    reg.publish("rev", [{ version: "1.0.0", content: v1b }, { version: "2.0.0", content: v2 }]);
    reg.publish("other", [{ version: "2.0.0", content: other2 }]);
    const head = reg.squashHistory();
    emptyCache(); // a teammate's machine: nothing of the old history anywhere
    sb.write(".claude/agents/rev.md", v1 + "my edit\n");
    const refused = await sb.run(["upgrade", "--latest"]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/\.claude\/agents\/rev\.md \(modified; its installed version is gone from the registry, so no diff\)/);
    expect(refused.stderr).not.toMatch(/unreachable/);
    const merge = await sb.run(["upgrade", "--latest", "--merge"]);
    expect(merge.code).toBe(3);
    expectOneLineError(merge.stderr, /cannot merge \.claude\/agents\/rev\.md: registry team's history was rewritten: the locked commit [0-9a-f]{12} .*is gone, and it is the merge base/);
    const forced = await sb.run(["upgrade", "--latest", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(sb.file(".claude/agents/rev.md")).toBe(v2);
    expect(sb.file(".claude/agents/rev.md.orig")).toBe(v1 + "my edit\n");
    expect(sb.file(".claude/agents/other.md")).toBe(other2); // its unedited file stood in for the vanished version
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect([lock.agents.rev.commit, lock.agents.other.commit]).toEqual([head, head]);
    expect((await sb.run(["verify"])).code).toBe(0);
  });

  it("--keep leaves the edited file and its old entry, and upgrades the rest", async () => {
    reg.publish("rev", [{ version: "2.0.0", content: v2 }]);
    reg.publish("other", [{ version: "2.0.0", content: other2 }]);
    reg.squashHistory();
    emptyCache();
    sb.write(".claude/agents/rev.md", v1 + "my edit\n");
    const r = await sb.run(["upgrade", "--latest", "--keep"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/rev.md")).toBe(v1 + "my edit\n");
    expect(sb.file(".claude/agents/other.md")).toBe(other2);
  });

  it("install on a clone: the same bytes at the new head install; changed bytes are exit 5 naming the registry and commit, and upgrade moves on", async () => {
    const lockBefore = JSON.parse(sb.file(".claude/agentpkg.lock"));
    const clone = path.join(sb.root, "clone");
    fs.mkdirSync(path.join(clone, ".claude"), { recursive: true });
    for (const f of ["agentpkg.json", "agentpkg.lock"]) fs.copyFileSync(path.join(sb.project, ".claude", f), path.join(clone, ".claude", f));
    // the rewrite keeps other@1.0.0 byte for byte, and rewords rev@1.0.0
    reg.publish("rev", [{ version: "1.0.0", content: v1b }]);
    reg.squashHistory();
    emptyCache();
    const before = snapshot(clone);
    const r = await sb.run(["install"], { cwd: clone });
    expect(r.code, r.stderr).toBe(5);
    expectOneLineError(r.stderr, new RegExp(`registry team's history was rewritten: the locked commit ${lockBefore.agents.rev.commit.slice(0, 12)} \\(agents/rev/1\\.0\\.0\\.md, version 1\\.0\\.0\\) is gone`));
    expect(r.stderr).toMatch(/hint: run agentpkg upgrade/);
    expect(snapshot(clone)).toEqual(before);
    const json = await sb.json(["install"], { cwd: clone });
    expect(json.data.error.code).toBe("E_COMMIT_GONE");

    const up = await sb.run(["upgrade"], { cwd: clone });
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/rev.md", clone)).toBe(v1b);
    expect(sb.file(".claude/agents/other.md", clone)).toBe(other1);
    expect((await sb.run(["verify"], { cwd: clone })).code).toBe(0);

    // a clone of a project whose files are all still at the new head installs without a word
    const clone2 = path.join(sb.root, "clone2");
    fs.mkdirSync(path.join(clone2, ".claude"), { recursive: true });
    const lock = JSON.parse(fs.readFileSync(path.join(sb.project, ".claude/agentpkg.lock"), "utf8"));
    delete lock.agents.rev;
    fs.writeFileSync(path.join(clone2, ".claude/agentpkg.lock"), JSON.stringify(lock, null, 2) + "\n");
    fs.writeFileSync(path.join(clone2, ".claude/agentpkg.json"), JSON.stringify({ registries: { team: reg.dir }, agents: { other: "^1.0.0" } }, null, 2) + "\n");
    emptyCache();
    const i2 = await sb.run(["install", "--frozen"], { cwd: clone2 });
    expect(i2.code, i2.stderr).toBe(0);
    expect(sb.file(".claude/agents/other.md", clone2)).toBe(other1);
  });
});

describe("smaller flows (#14.16)", () => {
  const DEAD = 4194999; // above Linux's largest pid_max: never a live process
  const rev = agentText("rev");
  let sb: Sandbox;
  let reg: ReturnType<Sandbox["registry"]>;

  beforeEach(async () => {
    sb = new Sandbox();
    reg = sb.registry("team");
    reg.publish("rev", [{ version: "1.0.0", content: rev }]);
  });
  afterEach(() => sb.cleanup());

  it("(a) a clone a Ctrl-C left in the cache: doctor reports it, --fix and the next clone remove it", async () => {
    const gitCache = path.join(sb.root, "cache/agentpkg/git");
    const leftover = path.join(gitCache, `team-0123456789abcdef.tmp-${DEAD}`);
    const live = path.join(gitCache, `other-0123456789abcdef.tmp-${process.pid}`);
    for (const d of [leftover, live]) fs.mkdirSync(path.join(d, "objects"), { recursive: true });
    const d = await sb.json(["doctor"]);
    expect(d.code).toBe(4);
    expect(d.data.findings).toEqual([expect.objectContaining({ kind: "cache-temp", file: leftover, message: expect.stringContaining(`left by process ${DEAD} (gone)`) })]);
    const fixed = await sb.json(["doctor", "--fix"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.data.fixed).toEqual(["removed 1 unfinished clone or temp folder from the cache"]);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(live)).toBe(true); // a live process's clone in progress
    fs.mkdirSync(leftover);
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    expect(fs.existsSync(leftover)).toBe(false);
  });

  it("(b) a lock held by a live process is never broken, however old", async () => {
    // pid 1 has run since the machine started: a lock taken a second after that is as old as the machine
    const stat = fs.readFileSync("/proc/1/stat", "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const boot = Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))![1]) * 1000;
    const owner = { pid: 1, host: os.hostname(), started: boot + ticks * 10 + 1000 };
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    sb.write(".claude/.agentpkg-busy/owner.json", JSON.stringify(owner));
    const i = await sb.run(["install", "rev"], { env: { AGENTPKG_LOCK_WAIT_MS: "300" } });
    expect(i.code, i.stderr).toBe(1);
    expectOneLineError(i.stderr, /another agentpkg process \(pid 1\) is working on/);
    expect(JSON.parse(sb.file(".claude/.agentpkg-busy/owner.json"))).toEqual(owner);
    const d = await sb.json(["doctor"]);
    expect(d.data.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "busy" })]));
    expect(d.data.findings.some((f: { kind: string }) => f.kind === "stale-lock")).toBe(false);
  });

  it("(c) -C must name an existing folder: exit 2, one line, no folder made", async () => {
    const typo = path.join(sb.root, "typo/deeper");
    for (const args of [["install", "rev"], ["init"], ["list"]]) {
      const r = await sb.run(["-C", typo, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expectOneLineError(r.stderr, new RegExp(`-C ${typo}: no such folder`));
    }
    expect(fs.existsSync(path.join(sb.root, "typo"))).toBe(false);
    sb.write("a-file", "x");
    const f = await sb.json(["-C", "a-file", "list"]);
    expect(f.code).toBe(2);
    expect(f.data.error).toMatchObject({ code: "E_USAGE", message: "-C a-file: not a folder" });
  });

  it("(d) validate --fix never writes through a symlink, and keeps a file's mode; backups keep it too", async () => {
    const fixable = (name: string) => `---\nname: ${name}\ndescription: d\ntools: Read, Grep\n---\nbody\n`;
    sb.write("shared/linked.md", fixable("linked"));
    sb.write(".claude/agents/private.md", fixable("private"));
    fs.chmodSync(path.join(sb.project, ".claude/agents/private.md"), 0o600);
    fs.symlinkSync("../../shared/linked.md", path.join(sb.project, ".claude/agents/linked.md"));
    const r = await sb.run(["validate", "--fix"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("not fixed .claude/agents/linked.md: it is a symlink (to shared/linked.md); to fix that file, name it: agentpkg validate --fix shared/linked.md");
    expect(sb.file("shared/linked.md")).toBe(fixable("linked"));
    expect(fs.lstatSync(path.join(sb.project, ".claude/agents/linked.md")).isSymbolicLink()).toBe(true);
    expect(sb.file(".claude/agents/private.md")).not.toBe(fixable("private"));
    expect(fs.statSync(path.join(sb.project, ".claude/agents/private.md")).mode & 0o777).toBe(0o600);

    // an upgrade --force of a 0600 file: the new file and the .orig of the edit stay 0600
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    expect((await sb.run(["install", "rev"])).code).toBe(0);
    const file = path.join(sb.project, ".claude/agents/rev.md");
    fs.writeFileSync(file, rev + "my private note\n");
    fs.chmodSync(file, 0o600);
    reg.publish("rev", [{ version: "1.1.0", content: agentText("rev", { body: "You are rev 1.1.\n" }) }]);
    const up = await sb.run(["upgrade", "--force"]);
    expect(up.code, up.stderr).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${file}.orig`).mode & 0o777).toBe(0o600);
  });

  it("(e) a full disk: the message names the folder, nothing is left behind; a failed --force leaves no .orig", async () => {
    const big = agentText("big", { body: "x".repeat(300 * 1024) + "\n" });
    reg.publish("big", [{ version: "1.0.0", content: big }]);
    const disk = sb.smallDisk("small", 128 * 1024);
    const project = path.join(disk, "project");
    fs.mkdirSync(project);
    expect((await sb.run(["registry", "add", "team", reg.dir], { cwd: project })).code).toBe(0);
    const before = snapshot(project);
    const r = await sb.run(["install", "big"], { cwd: project });
    expect(r.code, r.stderr).toBe(1);
    expectOneLineError(r.stderr, /^error cannot write in \.claude(\/agents)?: no space left on the device; nothing was changed$/);
    const after = snapshot(project);
    expect(Object.keys(after).filter((f) => f.includes("agentpkg-tmp") || f.endsWith(".orig") || f.includes("journal"))).toEqual([]);
    expect(after[".claude/agentpkg.json"]).toBe(before[".claude/agentpkg.json"]);
    expect(after[".claude/agentpkg.lock"]).toBeUndefined();

    // a failure after backups were written (here: a file that cannot be replaced) takes the backups away again
    reg.publish("other", [{ version: "1.0.0", content: agentText("other") }]);
    expect((await sb.run(["install", "rev", "other"], { cwd: project })).code).toBe(0);
    reg.publish("rev", [{ version: "1.1.0", content: agentText("rev", { body: "rev 1.1\n" }) }]);
    reg.publish("other", [{ version: "1.1.0", content: agentText("other", { body: "other 1.1\n" }) }]);
    fs.appendFileSync(path.join(project, ".claude/agents/rev.md"), "my edit\n");
    sb.immutable(".claude/agents/other.md", project);
    const forced = await sb.run(["upgrade", "--force"], { cwd: project });
    expect(forced.code, forced.stderr).toBe(1);
    expect(forced.stderr).toMatch(/cannot write \.claude\/agents\/other\.md/);
    expect(fs.existsSync(path.join(project, ".claude/agents/rev.md.orig"))).toBe(false);
    expect(sb.file(".claude/agents/rev.md", project)).toBe(rev + "my edit\n");
  });

  it("(f) a user's folder named *.agentpkg-tmp survives the temp-file cleanup", async () => {
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    sb.write(".claude/agents/ideas.agentpkg-tmp/draft.txt", "my notes");
    sb.write(".claude/agents/.old.md.4194999.0badf00d.agentpkg-tmp", "left by a dead run");
    const d = await sb.json(["doctor"]);
    expect(d.data.findings.filter((f: { kind: string }) => f.kind === "temp").map((f: { file: string }) => f.file)).toEqual([".claude/agents/.old.md.4194999.0badf00d.agentpkg-tmp"]);
    expect((await sb.run(["install", "rev"])).code).toBe(0); // tidies what a dead run left first
    expect(sb.exists(".claude/agents/.old.md.4194999.0badf00d.agentpkg-tmp")).toBe(false);
    expect(sb.file(".claude/agents/ideas.agentpkg-tmp/draft.txt")).toBe("my notes");
    expect((await sb.run(["doctor", "--fix"])).code).toBe(0);
    expect(sb.file(".claude/agents/ideas.agentpkg-tmp/draft.txt")).toBe("my notes");
  });

  it("(g) a manifest and lockfile saved with a byte order mark are read; written back without one only when they change", async () => {
    expect((await sb.run(["registry", "add", "team", reg.dir])).code).toBe(0);
    expect((await sb.run(["install", "rev"])).code).toBe(0);
    const bom = "\uFEFF";
    for (const f of [".claude/agentpkg.json", ".claude/agentpkg.lock"]) sb.write(f, bom + sb.file(f));
    const before = snapshot(sb.project);
    for (const args of [["install", "--frozen"], ["verify"], ["list"], ["sync"], ["outdated"]]) {
      const r = await sb.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    expect(snapshot(sb.project)).toEqual(before);
    reg.publish("other", [{ version: "1.0.0", content: agentText("other") }]);
    expect((await sb.run(["install", "other"])).code).toBe(0);
    expect(sb.file(".claude/agentpkg.json").startsWith("{")).toBe(true);
    expect(sb.file(".claude/agentpkg.lock").startsWith("{")).toBe(true);
  });
});
