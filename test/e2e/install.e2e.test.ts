import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, sha256, snapshot, type TestRegistry } from "./helpers.js";

let sb: Sandbox;
let reg: TestRegistry;

const V1 = agentText("x", { body: "You are x, version 1.0.0.\n" });
const V11 = agentText("x", { body: "You are x, version 1.1.0.\n" });
const V2 = agentText("x", { body: "You are x, version 2.0.0.\n" });

beforeEach(() => {
  sb = new Sandbox();
  reg = sb.registry();
  reg.publish("x", [
    { version: "1.0.0", content: V1 },
    { version: "1.1.0", content: V11 },
    { version: "2.0.0", content: V2 },
  ]);
});
afterEach(() => sb.cleanup());

describe("the bundled default registry", () => {
  it("installs ml-engineer with no network, writing agent, manifest and lock", async () => {
    const r = await sb.run(["install", "ml-engineer"]);
    expect(r.code, r.stderr).toBe(0);
    const file = sb.file(".claude/agents/ml-engineer.md");
    expect(file.startsWith("---\nname: ml-engineer\n")).toBe(true);
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    expect(manifest.agents["ml-engineer"]).toMatch(/^\^\d+\.\d+\.\d+$/);
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect(lock.lockfileVersion).toBe(1);
    expect(lock.agents["ml-engineer"]).toMatchObject({ registry: "default", url: "builtin", file: ".claude/agents/ml-engineer.md" });
  });

  it("installing again is a no-op that leaves every file byte-identical", async () => {
    expect((await sb.run(["install", "ml-engineer"])).code).toBe(0);
    const before = snapshot(sb.project);
    const again = await sb.run(["install", "ml-engineer"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("up to date");
    const all = await sb.run(["install"]);
    expect(all.code).toBe(0);
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("install ml-engineer@1.0.0 then upgrade moves to the newest 1.x", async () => {
    expect((await sb.run(["install", "ml-engineer@1.0.0"])).code).toBe(0);
    expect(JSON.parse(sb.file(".claude/agentpkg.lock")).agents["ml-engineer"].version).toBe("1.0.0");
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).agents["ml-engineer"]).toBe("^1.0.0");
    const up = await sb.json(["upgrade"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.data.steps).toEqual([expect.objectContaining({ op: "update", name: "ml-engineer", from: "1.0.0", to: "1.1.0" })]);
    expect(JSON.parse(sb.file(".claude/agentpkg.lock")).agents["ml-engineer"].version).toBe("1.1.0");
  });
});

describe("a git registry", () => {
  const addRegistry = async () => expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);

  it("install x@^1 gets 1.1.0, upgrade --latest gets 2.0.0 and rewrites the range", async () => {
    await addRegistry();
    const r = await sb.run(["install", "x@^1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V11);
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect(lock.agents.x).toMatchObject({ version: "1.1.0", registry: "team", url: reg.url, path: "agents/x/1.1.0.md" });
    expect(lock.agents.x.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).agents.x).toBe("^1");
    expect((await sb.run(["upgrade"])).code).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V11);
    const latest = await sb.run(["upgrade", "--latest"]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V2);
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).agents.x).toBe("^2.0.0");
  });

  it("installs a newest version with no git run once the registry is cached, and an older one through git", async () => {
    reg.publish("y", [{ version: "1.0.0", content: agentText("y") }]);
    await addRegistry(); // caches the index, with each agent's newest file
    const noGit = path.join(sb.root, "no-git-bin");
    fs.mkdirSync(noGit);
    fs.symlinkSync(process.execPath, path.join(noGit, "node"));
    const env = { PATH: noGit, AGENTPKG_REGISTRY_TTL: "3600" };
    const r = await sb.run(["install", "x", "y"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V2);
    const old = await sb.run(["install", "x@1.0.0"], { env });
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/git/);
    expect((await sb.run(["install", "x@1.0.0"])).code).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V1);
  });

  it("reads a damaged cached file from git instead", async () => {
    await addRegistry();
    const gitCache = path.join(sb.root, "cache", "agentpkg", "git");
    const [mirror] = fs.readdirSync(gitCache).filter((d) => !d.endsWith(".busy"));
    const [index] = fs.readdirSync(path.join(gitCache, mirror!)).filter((f) => f.endsWith(".lines"));
    const file = path.join(gitCache, mirror!, index!);
    const bytes = fs.readFileSync(file);
    const at = bytes.lastIndexOf("version 2.0.0");
    expect(at).toBeGreaterThan(0);
    bytes.write("VERSION", at);
    fs.writeFileSync(file, bytes);
    const r = await sb.run(["install", "x"], { env: { AGENTPKG_REGISTRY_TTL: "3600" } });
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V2);
  });

  it("team/x picks the registry and records it in the manifest", async () => {
    await addRegistry();
    expect((await sb.run(["install", "team/x@1.0.0"])).code).toBe(0);
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).agents.x).toEqual({ registry: "team", version: "^1.0.0" });
  });

  it("sees a version published after the registry was cached", async () => {
    await addRegistry();
    expect((await sb.run(["install", "x@^1"])).code).toBe(0);
    reg.publish("x", [{ version: "1.2.0", content: agentText("x", { body: "1.2.0\n" }) }]);
    const up = await sb.json(["upgrade", "x"]);
    expect(up.data.steps[0]).toMatchObject({ from: "1.1.0", to: "1.2.0" });
  });

  it("never resolves a yanked version for a new install", async () => {
    reg.publish("y", [
      { version: "1.0.0", content: agentText("y") },
      { version: "1.1.0", content: agentText("y", { body: "bad\n" }), yanked: "broken" },
    ]);
    await addRegistry();
    expect((await sb.run(["install", "y"])).code).toBe(0);
    expect(JSON.parse(sb.file(".claude/agentpkg.lock")).agents.y.version).toBe("1.0.0");
    const exact = await sb.run(["install", "y@1.1.0"]);
    expect(exact.code).toBe(5);
    expect(exact.stderr).toContain("yanked: 1.1.0");
  });

  it("refuses a sha256 mismatch and writes nothing", async () => {
    reg.publish("bad", [{ version: "1.0.0", content: agentText("bad"), badSha: true }]);
    await addRegistry();
    const before = snapshot(sb.project);
    const r = await sb.run(["install", "bad"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sha256 mismatch/);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error")).length).toBe(1);
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("installs a lock of several agents in one batch; one whose bytes are not the locked ones stops it all, nothing written", async () => {
    for (const n of ["a", "b", "c", "d"]) reg.publish(n, [{ version: "1.0.0", content: agentText(n) }]);
    await addRegistry();
    expect((await sb.run(["install", "a", "b", "c", "d"])).code).toBe(0);
    // a fresh clone: the manifest and lock, no agent files, an empty cache
    for (const n of ["a", "b", "c", "d"]) fs.rmSync(path.join(sb.project, ".claude", "agents", `${n}.md`));
    fs.rmSync(sb.env.XDG_CACHE_HOME!, { recursive: true, force: true });
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    const locked = sb.file(".claude/agentpkg.lock");
    lock.agents.c.sha256 = sha256("not what the registry has");
    sb.write(".claude/agentpkg.lock", JSON.stringify(lock, null, 2) + "\n");
    const before = snapshot(sb.project);
    const r = await sb.run(["install"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sha256 mismatch for agents\/c\/1\.0\.0\.md/);
    expect(snapshot(sb.project)).toEqual(before);
    sb.write(".claude/agentpkg.lock", locked);
    expect((await sb.run(["install"])).code).toBe(0);
    for (const n of ["a", "b", "c", "d"]) expect(sb.file(`.claude/agents/${n}.md`)).toBe(agentText(n));
  });

  it("explains unknown agents, unsatisfiable ranges and unreachable registries in one line", async () => {
    await addRegistry();
    const unknown = await sb.run(["install", "xx"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('agent "xx" not found');
    expect(unknown.stderr).toContain("did you mean x");
    const range = await sb.run(["install", "x@^9"]);
    expect(range.code).toBe(5);
    expect(range.stderr).toContain("available: 1.0.0, 1.1.0, 2.0.0");
    const gone = await sb.run(["registry", "add", "gone", path.join(sb.root, "nope")]);
    expect(gone.code).toBe(6);
    expect(gone.stderr).toMatch(/unreachable/);
    expect(gone.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("local edits", () => {
  beforeEach(async () => {
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    expect((await sb.run(["install", "x@1.0.0"])).code).toBe(0);
    fs.appendFileSync(path.join(sb.project, ".claude/agents/x.md"), "my tweak\n");
  });

  it("upgrade and remove refuse with exit 3 and leave the file byte-identical", async () => {
    const before = snapshot(sb.project);
    const up = await sb.run(["upgrade"]);
    expect(up.code).toBe(3);
    expect(up.stderr).toContain(".claude/agents/x.md");
    const rm = await sb.run(["remove", "x"]);
    expect(rm.code).toBe(3);
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("--force overwrites after saving a .orig backup that Claude Code will not load", async () => {
    const edited = sb.file(".claude/agents/x.md");
    const up = await sb.run(["upgrade", "--force"]);
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(V11);
    expect(sb.file(".claude/agents/x.md.orig")).toBe(edited);
    const files = fs.readdirSync(path.join(sb.project, ".claude/agents")).filter((f) => f.endsWith(".md"));
    expect(files).toEqual(["x.md"]);
  });

  it("an untracked file in the way counts as a local edit", async () => {
    sb.write(".claude/agents/ml-engineer.md", agentText("ml-engineer", { body: "mine\n" }));
    const r = await sb.run(["install", "ml-engineer"]);
    expect(r.code).toBe(3);
    expect(sb.file(".claude/agents/ml-engineer.md")).toContain("mine");
    expect((await sb.run(["install", "ml-engineer", "--force"])).code).toBe(0);
    expect(sb.file(".claude/agents/ml-engineer.md.orig")).toContain("mine");
  });

  it("list shows the modified file and untracked files", async () => {
    sb.write(".claude/agents/other.md", agentText("other"));
    const r = await sb.json(["list"]);
    expect(r.code).toBe(0);
    expect(r.data.agents).toEqual([expect.objectContaining({ name: "x", version: "1.0.0", registry: "team", state: "modified" })]);
    expect(r.data.untracked).toEqual([".claude/agents/other.md"]);
  });
});

describe("remove", () => {
  it("deletes the file and the entries", async () => {
    expect((await sb.run(["install", "ml-engineer", "debugger"])).code).toBe(0);
    const r = await sb.run(["remove", "ml-engineer"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.exists(".claude/agents/ml-engineer.md")).toBe(false);
    expect(sb.exists(".claude/agents/debugger.md")).toBe(true);
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).agents).toEqual({ debugger: expect.any(String) });
    expect(Object.keys(JSON.parse(sb.file(".claude/agentpkg.lock")).agents)).toEqual(["debugger"]);
    expect((await sb.run(["remove", "nothing-here"])).code).toBe(5);
  });
});

describe("agent names", () => {
  it("refuses to install a second file with the same name field, changing nothing", async () => {
    sb.write(".claude/agents/my-own.md", agentText("ml-engineer", { body: "my own ml agent\n" }));
    const before = snapshot(sb.project);
    const r = await sb.run(["install", "ml-engineer"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('second agent named "ml-engineer"');
    expect(r.stderr).toContain(".claude/agents/my-own.md");
    expect(snapshot(sb.project)).toEqual(before);
  });
});
