import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, snapshot, type TestRegistry } from "./helpers.js";
import { describeStatCache } from "../../src/store/stat-cache-format.js";

let sb: Sandbox;
let reg: TestRegistry;
/** teammate B: another checkout with its own cache (another machine) */
let projB: string;
let envB: Record<string, string>;

const NAMES = ["alpha", "beta", "gamma"] as const;
const text = (name: string, version: string) => agentText(name, { body: `You are ${name}, version ${version}.\n` });
const MANIFEST = ".claude/agentpkg.json";
const LOCK = ".claude/agentpkg.lock";

/** "commit" A's manifest and lock, "clone" them into dir */
function commitTo(dir: string): void {
  fs.mkdirSync(path.join(dir, ".claude"), { recursive: true });
  for (const f of [MANIFEST, LOCK]) fs.copyFileSync(path.join(sb.project, f), path.join(dir, f));
}

function agentFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of NAMES) out[n] = fs.readFileSync(path.join(dir, `.claude/agents/${n}.md`), "utf8");
  return out;
}

beforeEach(async () => {
  sb = new Sandbox();
  reg = sb.registry();
  for (const n of NAMES) reg.publish(n, [{ version: "1.0.0", content: text(n, "1.0.0") }]);
  expect((await sb.run(["init", "--registry", `team=${reg.url}`])).code).toBe(0);
  const a = await sb.run(["install", ...NAMES]);
  expect(a.code, a.stderr).toBe(0);
  projB = path.join(sb.root, "clone-b");
  envB = { XDG_CACHE_HOME: path.join(sb.root, "cache-b") };
  commitTo(projB);
});
afterEach(() => sb.cleanup());

describe("a team shares a manifest and a lockfile", () => {
  it("a clone gets the same files byte for byte and an identical lockfile, also under CI=true", async () => {
    const lockA = sb.file(LOCK);
    const b = await sb.run(["install"], { cwd: projB, env: envB });
    expect(b.code, b.stderr).toBe(0);
    expect(agentFiles(projB)).toEqual(agentFiles(sb.project));
    expect(sb.file(LOCK, projB)).toBe(lockA);
    const projCi = path.join(sb.root, "clone-ci");
    commitTo(projCi);
    const ci = await sb.run(["install"], { cwd: projCi, env: { ...envB, CI: "true" } });
    expect(ci.code, ci.stderr).toBe(0);
    expect(agentFiles(projCi)).toEqual(agentFiles(sb.project));
    expect(sb.file(LOCK, projCi)).toBe(lockA);
  });

  it("a new version: install keeps the locked one, outdated lists it (exit 4), upgrade takes it", async () => {
    expect((await sb.run(["install"], { cwd: projB, env: envB })).code).toBe(0);
    reg.publish("beta", [{ version: "1.1.0", content: text("beta", "1.1.0") }]);
    const again = await sb.run(["install"], { cwd: projB, env: envB });
    expect(again.code, again.stderr).toBe(0);
    expect(sb.file(".claude/agents/beta.md", projB)).toBe(text("beta", "1.0.0"));
    const out = await sb.json(["outdated"], { cwd: projB, env: envB });
    expect(out.code).toBe(4);
    expect(out.data.outdated).toEqual([{ name: "beta", type: "agent", current: "1.0.0", wanted: "1.1.0", latest: "1.1.0", range: "^1.0.0", registry: "team" }]);
    const human = await sb.run(["outdated"], { cwd: projB, env: envB });
    expect(human.stdout).toMatch(/NAME\s+CURRENT\s+WANTED\s+LATEST\s+REGISTRY\nbeta\s+1\.0\.0\s+1\.1\.0\s+1\.1\.0\s+team/);
    const up = await sb.run(["upgrade"], { cwd: projB, env: envB });
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/beta.md", projB)).toBe(text("beta", "1.1.0"));
    const after = await sb.json(["outdated"], { cwd: projB, env: envB });
    expect([after.code, after.data.outdated]).toEqual([0, []]);
  });
});

describe("verify", () => {
  it("exits 0 on a clean tree, never writing (but for its stat cache, as git status refreshes the index)", async () => {
    await new Promise((r) => setTimeout(r, 150)); // old enough for the stat cache to record
    const notStat = (snap: Record<string, string>) => Object.fromEntries(Object.entries(snap).filter(([k]) => !k.startsWith("cache/agentpkg/stat/")));
    const before = sb.snapshotRoot();
    const r = await sb.run(["verify"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("ok: 3 agents match");
    expect(notStat(sb.snapshotRoot())).toEqual(notStat(before));
    expect(Object.keys(sb.snapshotRoot()).some((k) => k.startsWith("cache/agentpkg/stat/"))).toBe(true);
    const again = sb.snapshotRoot();
    expect((await sb.run(["verify"])).code).toBe(0);
    expect(sb.snapshotRoot()).toEqual(again);
  });

  it("exits 4 after a file is edited, deleted, or a manifest entry is added", async () => {
    fs.appendFileSync(path.join(sb.project, ".claude/agents/alpha.md"), "tweak\n");
    const edited = await sb.json(["verify"]);
    expect(edited.code).toBe(4);
    expect(edited.data.problems).toEqual([expect.objectContaining({ kind: "modified", name: "alpha", file: ".claude/agents/alpha.md" })]);
    expect((await sb.run(["sync", "--force"])).code).toBe(0);
    fs.rmSync(path.join(sb.project, ".claude/agents/gamma.md"));
    const deleted = await sb.run(["verify"]);
    expect(deleted.code).toBe(4);
    expect(deleted.stderr).toContain(".claude/agents/gamma.md is missing");
    expect((await sb.run(["sync"])).code).toBe(0);
    const manifest = JSON.parse(sb.file(MANIFEST));
    manifest.agents.delta = "^1.0.0";
    sb.write(MANIFEST, JSON.stringify(manifest, null, 2));
    const added = await sb.json(["verify"]);
    expect(added.code).toBe(4);
    expect(added.data).toMatchObject({ ok: false, problems: [expect.objectContaining({ kind: "not-locked", name: "delta" })] });
  });

  it("answers a repeated run from the stat cache, and still sees a same-size edit with its mtime put back, a deletion, a hand-written agent and a lock change", async () => {
    const settle = () => new Promise((r) => setTimeout(r, 150)); // past the stat cache's racy window
    const statFile = () => {
      const dir = path.join(sb.root, "cache", "agentpkg", "stat");
      return describeStatCache(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!)))!;
    };
    await settle();
    expect((await sb.run(["verify"])).code).toBe(0);
    expect(statFile().unchanged.verify).toMatchObject({ counts: [3, 0], files: NAMES.map((n) => `.claude/agents/${n}.md`) });
    sb.write(".claude/agents/mine.md", agentText("mine"));
    const quick = await sb.json(["verify"]);
    expect([quick.code, quick.data.ok, quick.data.checked, quick.data.untracked]).toEqual([0, true, 3, [".claude/agents/mine.md"]]);

    const alpha = path.join(sb.project, ".claude/agents/alpha.md");
    const { atimeMs, mtimeMs } = fs.statSync(alpha);
    fs.writeFileSync(alpha, sb.file(".claude/agents/alpha.md").replace("You are", "You ARE"));
    fs.utimesSync(alpha, atimeMs / 1000, mtimeMs / 1000); // back to the microsecond; the ctime still moves
    const edited = await sb.json(["verify"]);
    expect([edited.code, edited.data.problems]).toEqual([4, [expect.objectContaining({ kind: "modified", name: "alpha" })]]);

    expect((await sb.run(["sync", "--force"])).code).toBe(0);
    await settle();
    expect((await sb.run(["verify"])).code).toBe(0);
    fs.rmSync(path.join(sb.project, ".claude/agents/gamma.md"));
    const deleted = await sb.json(["verify"]);
    expect([deleted.code, deleted.data.problems]).toEqual([4, [expect.objectContaining({ kind: "missing", name: "gamma" })]]);

    expect((await sb.run(["sync"])).code).toBe(0);
    await settle();
    expect((await sb.run(["verify"])).code).toBe(0);
    const lock = JSON.parse(sb.file(LOCK));
    lock.agents.beta.sha256 = "0".repeat(64);
    sb.write(LOCK, JSON.stringify(lock, null, 2) + "\n");
    const relocked = await sb.json(["verify"]);
    expect([relocked.code, relocked.data.problems.map((p: { name: string }) => p.name)]).toEqual([4, ["beta"]]);
  });

  it("--quiet prints nothing on success and still explains a failure on stderr", async () => {
    const ok = await sb.run(["verify", "--quiet"]);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, "", ""]);
    fs.rmSync(path.join(sb.project, ".claude/agents/beta.md"));
    const bad = await sb.run(["--quiet", "verify"]);
    expect([bad.code, bad.stdout]).toEqual([4, ""]);
    expect(bad.stderr).toContain("beta.md is missing");
  });
});

describe("sync", () => {
  it("restores deleted and edited files, then a second run writes nothing and says so", async () => {
    fs.rmSync(path.join(sb.project, ".claude/agents/alpha.md"));
    fs.appendFileSync(path.join(sb.project, ".claude/agents/beta.md"), "tweak\n");
    const refused = await sb.run(["sync"]);
    expect(refused.code).toBe(3);
    const first = await sb.run(["sync", "--force"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("2 restored");
    expect(sb.file(".claude/agents/beta.md.orig")).toContain("tweak");
    expect(agentFiles(sb.project)).toEqual(Object.fromEntries(NAMES.map((n) => [n, text(n, "1.0.0")])));
    const before = snapshot(sb.project);
    const second = await sb.run(["sync"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("already in sync");
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("removes agents dropped from the manifest; refuses (exit 4) when the lock lacks a manifest agent", async () => {
    const manifest = JSON.parse(sb.file(MANIFEST));
    delete manifest.agents.gamma;
    sb.write(MANIFEST, JSON.stringify(manifest, null, 2) + "\n");
    const r = await sb.json(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.steps).toEqual([expect.objectContaining({ op: "remove", name: "gamma" })]);
    expect(sb.exists(".claude/agents/gamma.md")).toBe(false);
    expect(Object.keys(JSON.parse(sb.file(LOCK)).agents)).toEqual(["alpha", "beta"]);
    manifest.agents.delta = "^1.0.0";
    sb.write(MANIFEST, JSON.stringify(manifest, null, 2) + "\n");
    const before = snapshot(sb.project);
    const stale = await sb.run(["sync"]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain("delta: in the manifest but not in the lockfile");
    expect(stale.stderr).toContain("run agentpkg install");
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("answers a repeated no-op from the stat cache, and still sees every later edit, deletion and lock change", async () => {
    const settle = () => new Promise((r) => setTimeout(r, 150)); // past the stat cache's racy window
    const statFile = () => {
      const dir = path.join(sb.root, "cache", "agentpkg", "stat");
      return describeStatCache(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!)))!;
    };
    await settle();
    expect((await sb.run(["sync"])).stdout).toContain("already in sync: 3 packages");
    expect(statFile().unchanged.sync).toMatchObject({ counts: [3] });
    const quick = await sb.json(["sync"]);
    expect([quick.code, quick.data.inSync, quick.data.locked, quick.data.steps]).toEqual([0, true, 3, []]);

    fs.writeFileSync(path.join(sb.project, ".claude/agents/beta.md"), text("beta", "1.0.0").replace("You are", "You were"));
    await settle();
    const edited = await sb.run(["sync", "--force"]);
    expect(edited.stdout).toContain("1 restored");
    expect(sb.file(".claude/agents/beta.md")).toBe(text("beta", "1.0.0"));

    await settle();
    expect((await sb.run(["sync"])).stdout).toContain("already in sync");
    fs.rmSync(path.join(sb.project, ".claude/agents/gamma.md"));
    expect((await sb.run(["sync"])).stdout).toContain("1 restored");

    await settle();
    expect((await sb.run(["sync"])).stdout).toContain("already in sync");
    const lock = JSON.parse(sb.file(LOCK));
    lock.agents.alpha.sha256 = "0".repeat(64);
    sb.write(LOCK, JSON.stringify(lock, null, 2) + "\n");
    const r = await sb.run(["sync"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("alpha");
  });

  it("--keep leaves an edited file and reports in sync; --merge records the edit so verify accepts it", async () => {
    fs.appendFileSync(path.join(sb.project, ".claude/agents/beta.md"), "tweak\n");
    const kept = await sb.json(["sync", "--keep"]);
    expect([kept.code, kept.data.inSync]).toEqual([0, true]);
    expect(sb.file(".claude/agents/beta.md")).toContain("tweak");
    expect((await sb.run(["sync", "--merge"])).code).toBe(0);
    expect(sb.file(".claude/agents/beta.md")).toContain("tweak");
    expect(JSON.parse(sb.file(LOCK)).agents.beta.localSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await sb.run(["verify"])).code).toBe(0);
  });
});

describe("script-friendly output", () => {
  it("--json of list, outdated, status and verify parses", async () => {
    for (const cmd of [["list"], ["outdated"], ["status"], ["verify"], ["sync"]]) {
      const r = await sb.json(cmd);
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.data.error, cmd.join(" ")).toBeUndefined();
    }
  });

  it("--dry-run of install, upgrade, remove and sync leaves every file byte-identical", async () => {
    reg.publish("alpha", [{ version: "1.1.0", content: text("alpha", "1.1.0") }]);
    reg.publish("delta", [{ version: "1.0.0", content: text("delta", "1.0.0") }]);
    fs.rmSync(path.join(sb.project, ".claude/agents/gamma.md"));
    const before = snapshot(sb.project);
    for (const cmd of [["install", "delta"], ["install"], ["upgrade"], ["remove", "beta"], ["sync"]]) {
      const r = await sb.run([...cmd, "--dry-run"]);
      expect(r.code, `${cmd.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout, cmd.join(" ")).toContain("dry run");
      expect(snapshot(sb.project), cmd.join(" ")).toEqual(before);
    }
  });

  it("--quiet silences a successful install", async () => {
    const r = await sb.run(["install", "--quiet"], { cwd: projB, env: envB });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });
});

describe("offline, unreachable and global", () => {
  it("with the registry gone, --offline installs from the cached mirror; an empty cache is exit 6", async () => {
    fs.renameSync(reg.dir, `${reg.dir}-moved`);
    // no pristine copies either: the files must come out of the cached git mirror
    fs.rmSync(path.join(sb.env.XDG_CACHE_HOME!, "agentpkg", "store"), { recursive: true, force: true });
    const projC = path.join(sb.root, "clone-c");
    commitTo(projC);
    const r = await sb.run(["install", "--offline"], { cwd: projC });
    expect(r.code, r.stderr).toBe(0);
    expect(agentFiles(projC)).toEqual(agentFiles(sb.project));
    expect(sb.file(LOCK, projC)).toBe(sb.file(LOCK));
    const missing = await sb.run(["install", "--offline"], { cwd: projB, env: envB });
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain("not in the cache (--offline)");
  });

  it("an https registry on a closed local port fails with exit 6 and says unreachable, once", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const r = await sb.run(["registry", "add", "private", `https://127.0.0.1:${port}/acme/agents.git`]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/unreachable/);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error")).length).toBe(1);
  });

  it("an ssh auth failure says so plainly (git never prompts)", async () => {
    // a stand-in for ssh that fails the way a missing key does; nothing is contacted
    const fakeSsh = path.join(sb.root, "fake-ssh");
    fs.writeFileSync(fakeSsh, '#!/bin/sh\necho "git@127.0.0.1: Permission denied (publickey)." >&2\nexit 255\n', { mode: 0o755 });
    const r = await sb.run(["registry", "add", "private", "git@127.0.0.1:acme/agents.git"], { env: { GIT_SSH_COMMAND: fakeSsh } });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("authentication failed");
    expect(r.stderr).toContain("git never prompts");
  });

  it("--global installs into $HOME/.claude/agents with its own manifest and lock", async () => {
    const projectBefore = snapshot(sb.project);
    expect((await sb.run(["init", "--global", "--registry", `team=${reg.url}`])).code).toBe(0);
    const r = await sb.run(["install", "--global", "alpha"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/alpha.md", sb.home)).toBe(text("alpha", "1.0.0"));
    expect(JSON.parse(sb.file(MANIFEST, sb.home)).agents).toEqual({ alpha: "^1.0.0" });
    expect(Object.keys(JSON.parse(sb.file(LOCK, sb.home)).agents)).toEqual(["alpha"]);
    expect((await sb.run(["verify", "--global"])).code).toBe(0);
    expect(snapshot(sb.project)).toEqual(projectBefore);
  });
});

describe("init", () => {
  it("creates the manifest once, with registries; refuses (exit 1) when it exists; --dry-run writes nothing", async () => {
    const dir = path.join(sb.root, "fresh");
    fs.mkdirSync(dir);
    const dry = await sb.run(["init", "--dry-run", "--registry", `team=${reg.url}`], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    const r = await sb.json(["init", "--registry", `team=${reg.url}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ file: MANIFEST, created: true, registries: { team: reg.url } });
    expect(JSON.parse(sb.file(MANIFEST, dir))).toEqual({ registries: { team: reg.url }, agents: {} });
    const again = await sb.run(["init"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
    const bad = await sb.run(["init", "--registry", "team=ext::sh -c x"], { cwd: path.join(sb.root) });
    expect(bad.code).toBe(2);
  });
});
