// install <repository>[#<agent>] (issue #19): a repository added as a registry and installed from in one
// run, in every form users type, against local repositories ("GitHub" is a folder of the sandbox reached
// through url.<base>.insteadOf in the sandbox HOME's .gitconfig: the tests never touch the network).
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, GitRepo, Sandbox, snapshot } from "./helpers.js";
import { kitMarketplace } from "./plugin-fixtures.js";

let sb: Sandbox;
let solo: GitRepo; // one agent
let team: GitRepo; // three agents

/** A fresh project folder of the sandbox (its own .claude), for one form of the command. */
function project(name: string): string {
  const dir = path.join(sb.root, "projects", name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), "utf8");
const manifestOf = (dir: string) => JSON.parse(read(dir, ".claude/agentpkg.json"));
const lockOf = (dir: string) => JSON.parse(read(dir, ".claude/agentpkg.lock"));
const mirrors = () => fs.readdirSync(path.join(sb.root, "cache", "agentpkg", "git")).filter((d) => !d.endsWith(".busy"));

beforeEach(() => {
  sb = new Sandbox();
  const gh = path.join(sb.root, "gh");
  fs.writeFileSync(path.join(sb.home, ".gitconfig"), `[url "file://${gh}/"]\n\tinsteadOf = https://github.com/\n`);
  solo = new GitRepo(path.join(gh, "acme"), "solo-agent.git");
  solo.write("README.md", "# one agent\n").write("agents/reviewer.md", agentText("reviewer", { description: "Reviews code" }));
  solo.commit("reviewer");
  team = new GitRepo(path.join(gh, "acme"), "agents.git");
  for (const n of ["writer", "tester", "planner"]) team.write(`agents/${n}.md`, agentText(n));
  team.commit("three agents");
});
afterEach(() => sb.cleanup());

describe("install <repository>", () => {
  it("takes every url form: file://, git+file://, a path, ./path, github:OWNER/NAME and OWNER/NAME (GitHub through insteadOf)", async () => {
    fs.mkdirSync(path.join(sb.root, "projects"), { recursive: true });
    const rel = path.relative(path.join(sb.root, "projects", "dot-path"), solo.dir);
    const forms: [string, string, string][] = [
      ["file", solo.url, solo.url],
      ["git-plus", `git+${solo.url}#reviewer`, solo.url],
      ["path", solo.dir, solo.dir],
      ["dot-path", rel.startsWith(".") ? rel : `./${rel}`, solo.dir],
      ["github", "github:acme/solo-agent#reviewer", "https://github.com/acme/solo-agent.git"],
      ["shorthand", "acme/solo-agent", "https://github.com/acme/solo-agent.git"],
    ];
    for (const [name, spec, url] of forms) {
      const dir = project(name);
      const r = await sb.run(["install", spec], { cwd: dir });
      expect(r.code, `${spec}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`registry solo-agent -> ${url} (plain, added)`);
      expect(r.stdout).toMatch(/\+ reviewer 0\.0\.0-\d{14}\.[0-9a-f]{7}/);
      expect(read(dir, ".claude/agents/reviewer.md")).toBe(agentText("reviewer", { description: "Reviews code" }));
      expect(manifestOf(dir).registries).toEqual({ "solo-agent": { url, type: "plain" } });
      expect(lockOf(dir).agents.reviewer).toMatchObject({ registry: "solo-agent", url, path: "agents/reviewer.md" });
    }
  });

  it("fetches a plain repository once, into its history mirror, and a registry.json one shallow", async () => {
    const r = await sb.run(["install", `${solo.url}#reviewer`]);
    expect(r.code, r.stderr).toBe(0);
    expect(mirrors()).toEqual([expect.stringMatching(/^solo-agent-[0-9a-f]{16}-history$/)]);
    const reg = sb.registry("acme-registry");
    reg.publish("linter", [{ version: "1.0.0", content: agentText("linter") }]);
    const r2 = await sb.run(["install", `${reg.url}#linter`], { cwd: project("registry") });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain("(registry, added)");
    expect(mirrors().filter((m) => m.startsWith("acme-registry"))).toEqual([expect.stringMatching(/^acme-registry-[0-9a-f]{16}$/)]);
  });

  it("writes the manifest and lock registry add + install write, byte for byte (plain, registry.json, a marketplace plugin)", async () => {
    const reg = sb.registry("acme-registry");
    reg.publish("linter", [{ version: "1.0.0", content: agentText("linter") }, { version: "1.1.0", content: agentText("linter", { body: "Newer.\n" }) }]);
    const mk = kitMarketplace(sb.root);
    const cases: [string, string[], string[][]][] = [
      ["plain", ["install", `${team.url}#tester`], [["registry", "add", "agents", team.url], ["install", "agents/tester"]]],
      ["registry", ["install", `${reg.url}#linter`], [["registry", "add", "acme-registry", reg.url], ["install", "acme-registry/linter"]]],
      ["plugin", ["install", `${mk.url}#solo`, "--plugin"], [["registry", "add", "kit-market", mk.url], ["install", "--plugin", "kit-market/solo"]]],
    ];
    for (const [name, one, two] of cases) {
      const a = project(`${name}-one`);
      const b = project(`${name}-two`);
      const r = await sb.run(one, { cwd: a });
      expect(r.code, r.stderr).toBe(0);
      for (const args of two) {
        const s = await sb.run(args, { cwd: b });
        expect(s.code, s.stderr).toBe(0);
      }
      for (const f of [".claude/agentpkg.json", ".claude/agentpkg.lock"]) expect(read(a, f), `${name}: ${f}`).toBe(read(b, f));
      expect(snapshot(path.join(a, ".claude"))).toEqual(snapshot(path.join(b, ".claude")));
    }
    expect(lockOf(project("plugin-one")).plugins.solo).toMatchObject({ registry: "kit-market", version: "0.3.0" });
  });

  it("lists the agents of a repository that has several (exit 2, a command per agent to paste); a pasted one installs", async () => {
    const before = sb.snapshotRoot();
    const r = await sb.run(["install", "acme/agents"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("acme/agents has 3 agents: name the one to install");
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("  agentpkg install "));
    expect(lines).toEqual(["  agentpkg install acme/agents#planner", "  agentpkg install acme/agents#tester", "  agentpkg install acme/agents#writer"]);
    expect(fs.existsSync(path.join(sb.project, ".claude"))).toBe(false);
    const after = sb.snapshotRoot();
    for (const f of Object.keys(after)) if (!f.startsWith("cache/")) expect(after[f], f).toBe(before[f]); // only the cache filled
    const j = await sb.json(["install", "acme/agents", "--as", "crew"]);
    expect(j.code).toBe(2);
    expect(j.data.error).toMatchObject({ code: "E_USAGE", data: { agents: ["planner", "tester", "writer"] } });
    expect(j.data.error.details[0]).toBe("agentpkg install acme/agents#planner --as crew");
    const pasted = await sb.run(lines[1]!.trim().split(" ").slice(1));
    expect(pasted.code, pasted.stderr).toBe(0);
    expect(sb.exists(".claude/agents/tester.md")).toBe(true);
  });

  it("--plugin installs a marketplace's plugin whole; without a name, several plugins are listed with --plugin", async () => {
    const mk = kitMarketplace(sb.root);
    const list = await sb.run(["install", mk.url]);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain(`${mk.url} has 2 plugins: name the one to install`);
    expect(list.stderr).toContain(`  agentpkg install ${mk.url}#solo --plugin`);
    const r = await sb.json(["install", `${mk.url}#solo`, "--plugin"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.registry).toEqual({ name: "kit-market", url: mk.url, type: "marketplace", added: true });
    expect(sb.file(".claude/agents/solo/solo.md")).toContain("name: solo-agent");
    expect(JSON.parse(sb.file(".claude/agentpkg.json"))).toMatchObject({ registries: { "kit-market": { url: mk.url, type: "marketplace" } }, plugins: { solo: { registry: "kit-market", version: "^0.3.0" } } });
  });

  it("--as names the registry; a name another url has is exit 2 with the way out; the same url is reused", async () => {
    const r = await sb.run(["install", `${solo.url}#reviewer`, "--as", "mine"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).registries).toEqual({ mine: { url: solo.url, type: "plain" } });
    // the repository is already the registry "mine": a second install from it goes through that one
    const again = await sb.run(["install", `${team.dir}#writer`, "--as", "crew"]);
    expect(again.code, again.stderr).toBe(0);
    const same = await sb.run(["install", solo.url]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(`registry mine -> ${solo.url} (plain, already configured)`);
    const before = snapshot(path.join(sb.project, ".claude"));
    const taken = await sb.run(["install", `${team.url}#tester`, "--as", "mine"]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`registry mine already points at ${solo.url}`);
    expect(taken.stderr).toContain(`hint: name this one: agentpkg install ${team.url}#tester --as OTHER-NAME`);
    expect(snapshot(path.join(sb.project, ".claude"))).toEqual(before);
    const bad = await sb.run(["install", solo.url, "--as", "Not A Name"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid registry name "Not A Name" in --as');
    const alone = await sb.run(["install", "ml-engineer", "--as", "x"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--as names the registry of a repository");
  });

  it("re-running is a no-op that leaves every file byte-identical", async () => {
    expect((await sb.run(["install", `${solo.url}#reviewer`])).code).toBe(0);
    const before = snapshot(path.join(sb.project, ".claude"));
    const r = await sb.run(["install", `${solo.url}#reviewer`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("already configured");
    expect(r.stdout).toContain("up to date");
    expect(snapshot(path.join(sb.project, ".claude"))).toEqual(before);
    const noHash = await sb.run(["install", solo.url]);
    expect(noHash.code, noHash.stderr).toBe(0);
    expect(snapshot(path.join(sb.project, ".claude"))).toEqual(before);
  });

  it("a spec that can be an agent stays an agent: NAME, REGISTRY/NAME of a configured registry, NAME@RANGE", async () => {
    const r = await sb.run(["install", "ml-engineer", "default/code-reviewer", "debugger@^1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("registry ");
    expect(Object.keys(JSON.parse(sb.file(".claude/agentpkg.lock")).agents).sort()).toEqual(["code-reviewer", "debugger", "ml-engineer"]);
    expect(fs.existsSync(path.join(sb.root, "cache", "agentpkg", "git"))).toBe(false); // no repository fetched
    // acme is no registry here, so acme/agents#writer is the repository; with another argument it is refused
    const mixed = await sb.run(["install", "ml-engineer", "acme/agents#writer"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("install a repository on its own: acme/agents#writer came with 1 more argument");
    const word = await sb.run(["install", "reviewer#x"]);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain("reviewer is not a repository");
  });

  it("an unreachable repository is exit 6 and a repository with no agents exit 5, nothing written", async () => {
    const gone = await sb.run(["install", "acme/nothing-here#x"]);
    expect(gone.code, gone.stderr).toBe(6);
    const empty = new GitRepo(path.join(sb.root, "gh", "acme"), "empty.git");
    empty.write("README.md", "# nothing\n").commit("readme");
    const none = await sb.run(["install", "acme/empty"]);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain("acme/empty has no agents");
    expect(fs.existsSync(path.join(sb.project, ".claude"))).toBe(false);
  });
});
