// Everyday use (issue #18), the small things, through the built CLI: -V, search with no query, registry kinds,
// did-you-mean across registries, remove's flags and words, --resolved tidying its .conflict file, @banana,
// mistyped urls, verify's untracked files, --keep's version, grammar, and the tools Claude Code has now.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentText, GitRepo, REPO_ROOT, Sandbox, type TestRegistry } from "./helpers.js";
import { kitMarketplace } from "./plugin-fixtures.js";

let sb: Sandbox;
let team: TestRegistry;
let other: TestRegistry;
const v = (version: string, body: string) => ({ version, content: agentText("reviewer", { body: `${body}\n\nLine one.\nLine two.\nLine three.\n` }) });

beforeAll(async () => {
  sb = new Sandbox();
  team = sb.registry("team");
  team.publish("reviewer", [v("1.0.0", "Version one.")]);
  team.publish("ml-engineer", [{ version: "1.0.0", content: agentText("ml-engineer") }]);
  other = sb.registry("other");
  other.publish("ml-engineer", [{ version: "1.0.0", content: agentText("ml-engineer") }]);
  for (const [name, url] of [["team", team.url], ["other", other.url]]) expect((await sb.run(["registry", "add", name!, url!])).code).toBe(0);
});
afterAll(() => sb.cleanup());

describe("versions, search and registries", () => {
  it("-V prints the version, as cargo's does", async () => {
    const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
    expect(await sb.run(["-V"])).toMatchObject({ code: 0, stdout: version });
  });

  it("search with no query lists everything, and --registry NAME only that registry", async () => {
    const all = await sb.json(["search"]);
    expect(all.data.registries).toEqual(["team", "other", "default"]);
    expect(all.data.results.filter((h: { registry: string }) => h.registry === "team").map((h: { name: string }) => h.name)).toEqual(["ml-engineer", "reviewer"]);
    expect(all.data.results.some((h: { registry: string }) => h.registry === "default")).toBe(true);
    const one = await sb.json(["search", "--registry", "team"]);
    expect(one.data.results.map((h: { name: string; registry: string }) => `${h.registry}/${h.name}`)).toEqual(["team/ml-engineer", "team/reviewer"]);
    expect((await sb.run(["search", "--registry", "team"])).stdout).toContain("2 results in team");
    expect((await sb.run(["search", "--registry", "nope"])).code).toBe(5);
  });

  it("registry list shows each registry's kind: registry, marketplace, plain, tarball, bundled", async () => {
    const s = new Sandbox();
    try {
      const mk = kitMarketplace(s.root);
      const plain = new GitRepo(s.root, "plain").write("agents/writer.md", agentText("writer"));
      plain.commit("plain");
      const reg = s.registry("reg");
      reg.publish("a", [{ version: "1.0.0", content: agentText("a") }]);
      expect((await s.run(["registry", "pack", reg.dir, "-o", path.join(s.root, "reg.tgz")])).code).toBe(0);
      for (const [name, url] of [["reg", reg.url], ["mk", mk.url], ["plain", plain.url], ["tar", path.join(s.root, "reg.tgz")]]) expect((await s.run(["registry", "add", name!, url!])).code).toBe(0);
      const r = await s.json(["registry", "list"]);
      expect(r.data.registries.map((x: { name: string; type: string }) => `${x.name}:${x.type}`)).toEqual(["reg:registry", "mk:marketplace", "plain:plain", "tar:tarball", "default:bundled"]);
      expect((await s.run(["registry", "list"])).stdout.split("\n")[0]).toMatch(/^NAME\s+KIND\s+URL$/);
    } finally {
      s.cleanup();
    }
  });
});

describe("the small things", () => {
  it("did-you-mean names a name once, with the registries that have it", async () => {
    const r = await sb.run(["install", "ml-enginer"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("hint: did you mean ml-engineer (in team, other, default)?");
  });

  it("a garbage range (@banana) is a usage error naming the tags; https//host/x a mistyped url", async () => {
    const banana = await sb.run(["install", "team/reviewer@banana"]);
    expect(banana.code).toBe(2);
    expect(banana.stderr).toContain('"banana" is not a version range, and reviewer in team has no tag "banana"');
    const url = await sb.run(["registry", "add", "x", "https//github.com/acme/agents"]);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("looks like a mistyped url");
    expect(url.stderr).toContain("hint: did you mean https://github.com/acme/agents?");
  });

  it("remove has no --merge or --resolved, and --force says the edited file was deleted", async () => {
    expect((await sb.run(["install", "team/ml-engineer"])).code).toBe(0);
    sb.write(".claude/agents/ml-engineer.md", `${sb.file(".claude/agents/ml-engineer.md")}my edit\n`);
    for (const flag of ["--merge", "--resolved"]) expect((await sb.run(["remove", "ml-engineer", flag])).code).toBe(2);
    const refused = await sb.run(["remove", "ml-engineer"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("--force (delete them, saving a .orig backup)");
    expect(refused.stderr).not.toContain("--merge");
    const r = await sb.run(["remove", "ml-engineer", "--force"]);
    expect(r.stdout).toContain("- ml-engineer 1.0.0  (locally modified, deleted, backup saved)");
    expect(sb.exists(".claude/agents/ml-engineer.md.orig")).toBe(true);
  });

  it("--keep keeps the version; --resolved removes the .conflict file it settles", async () => {
    expect((await sb.run(["install", "team/reviewer"])).code).toBe(0);
    team.publish("reviewer", [v("1.0.3", "Version one point three.")]);
    sb.write(".claude/agents/reviewer.md", sb.file(".claude/agents/reviewer.md").replace("Version one.", "My own version."));
    const kept = await sb.run(["upgrade", "--keep"]);
    expect(kept.stdout).toContain("~ reviewer 1.0.0  (locally modified, kept as is, 1.0.3 not installed)");
    expect((await sb.run(["upgrade", "--merge"])).code).toBe(3);
    expect(sb.exists(".claude/agents/reviewer.md.conflict")).toBe(true);
    sb.write(".claude/agents/reviewer.md", sb.file(".claude/agents/reviewer.md").replace("My own version.", "My own version three."));
    expect((await sb.run(["upgrade", "--resolved"])).code).toBe(0);
    expect(sb.exists(".claude/agents/reviewer.md.conflict")).toBe(false);
  });

  it("verify lists hand-written agents whether or not something else is wrong; one agent is singular", async () => {
    sb.write(".claude/agents/mine.md", agentText("mine"));
    const ok = await sb.run(["verify"]);
    expect(ok.stdout).toContain("ok: 1 agent matches .claude/agentpkg.lock");
    expect(ok.stdout).toContain("(1 agent file not managed by agentpkg: .claude/agents/mine.md)");
    fs.rmSync(path.join(sb.project, ".claude/agents/reviewer.md"));
    const bad = await sb.run(["verify"]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain("(1 agent file not managed by agentpkg: .claude/agents/mine.md)");
    expect((await sb.run(["sync", "--force"])).code).toBe(0);
    expect((await sb.run(["outdated"])).stdout).toBe("1 agent is up to date");
    expect((await sb.run(["sync"])).stdout).toContain("already in sync: 1 package matches");
  });

  it("the tools Claude Code has now are known tools", async () => {
    sb.write("tasks.md", agentText("tasks", { tools: "[Read, TaskGet, TaskList, TaskUpdate, TaskCreate, AskUserQuestion, Monitor]" }));
    const r = await sb.run(["validate", "tasks.md", "--strict"]);
    expect(r.stdout).not.toContain("unknown tool");
    expect(r.code).toBe(0);
  });
});
