// Claude Code plugin marketplaces and plain repositories of agent files as registries.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, git, GitRepo as Repo, Sandbox, sha256, snapshot } from "./helpers.js";


const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);
const lock = (sb: Sandbox) => JSON.parse(sb.file(".claude/agentpkg.lock")).agents;
const manifest = (sb: Sandbox) => JSON.parse(sb.file(".claude/agentpkg.json"));

let sb: Sandbox;
beforeEach(() => (sb = new Sandbox()));
afterEach(() => sb.cleanup());

describe("a Claude Code plugin marketplace", () => {
  const REVIEWER = (v: string, tools = "Read, Grep") => agentText("reviewer", { description: `alpha reviewer ${v}`, tools, body: `Review, ${v}.\n` });
  const SOLO = (v: string) => agentText("solo", { description: "works alone", body: `Solo ${v}.\n` });
  const entries = (betaVersion: string) => ({
    name: "mk",
    owner: { name: "test" },
    plugins: [
      { name: "alpha", source: "./plugins/alpha", version: "0.0.1", description: "alpha tools" },
      { name: "beta", source: "./plugins/beta", version: betaVersion },
      { name: "gamma", source: "./plugins/gamma" },
      { name: "ext", source: { source: "npm", package: "@acme/ext" } },
      { name: "gone", source: "./plugins/missing" },
    ],
  });
  let mk: Repo;
  let c: string[];

  beforeEach(() => {
    mk = new Repo(sb.root, "market");
    mk.write(".claude-plugin/marketplace.json", entries("3.0.0"))
      .write("plugins/alpha/.claude-plugin/plugin.json", { name: "alpha", version: "1.0.0" })
      .write("plugins/alpha/agents/reviewer.md", REVIEWER("1.0.0"))
      .write("plugins/alpha/agents/solo.md", SOLO("1.0.0"))
      .write("plugins/beta/agents/reviewer.md", agentText("reviewer", { description: "beta reviewer", body: "Beta 3.0.0.\n" }))
      .write("plugins/beta/agents/notes.md", "Just notes, no frontmatter.\n")
      .write("plugins/beta/agents/broken.md", "---\nname: broken\n---\nno description\n")
      .write("plugins/gamma/agents/gamma-agent.md", agentText("gamma-agent", { body: "Gamma one.\n" }))
      .write("README.md", "# market\n");
    c = [mk.commit("alpha 1.0.0, beta 3.0.0")];
    mk.write("plugins/alpha/.claude-plugin/plugin.json", { name: "alpha", version: "1.1.0" }).write("plugins/alpha/agents/reviewer.md", REVIEWER("1.1.0"));
    mk.write("plugins/gamma/agents/gamma-agent.md", agentText("gamma-agent", { body: "Gamma two.\n" }));
    c.push(mk.commit("alpha 1.1.0"));
    mk.write("plugins/alpha/agents/solo.md", SOLO("1.1.0 fixed"));
    c.push(mk.commit("alpha: fix solo without a version bump"));
    mk.write("plugins/alpha/.claude-plugin/plugin.json", { name: "alpha", version: "2.0.0" }).write("plugins/alpha/agents/reviewer.md", REVIEWER("2.0.0", "Read, Grep, Bash"));
    c.push(mk.commit("alpha 2.0.0"));
    mk.write(".claude-plugin/marketplace.json", entries("3.1.0")).write("plugins/beta/agents/reviewer.md", agentText("reviewer", { description: "beta reviewer", body: "Beta 3.1.0.\n" }));
    c.push(mk.commit("beta 3.1.0 (version in the marketplace entry)"));
  });

  const add = async () => {
    const r = await sb.json(["registry", "add", "mk", mk.url]);
    expect(r.code, r.stderr).toBe(0);
    return r.data;
  };

  it("registry add detects it, records its type, and says what it skipped", async () => {
    const data = await add();
    expect(data).toMatchObject({ name: "mk", type: "marketplace", agents: 4, commit: c[4] });
    expect(manifest(sb).registries).toEqual({ mk: { url: mk.url, type: "marketplace" } });
    const warnings = data.warnings.join("\n");
    expect(warnings).toMatch(/plugin "ext" skipped: it comes from an npm source \(@acme\/ext\), which agentpkg does not support \(only git repositories\)/);
    expect(warnings).toMatch(/plugin "gone" skipped: its folder plugins\/missing does not exist/);
    expect(warnings).toMatch(/plugins\/beta\/agents\/notes\.md: no YAML frontmatter.*skipped/);
    expect(warnings).toMatch(/plugins\/beta\/agents\/broken\.md.*description.*skipped/);
    expect(warnings).toMatch(/agent "reviewer" is defined by several plugins; install it as alpha:reviewer or beta:reviewer/);
    const human = await sb.run(["registry", "add", "mk2", mk.url]);
    expect(human.stdout).toContain("(marketplace, 3 plugins: 6 agents)");
    expect(human.stderr).toMatch(/^warning mk2: plugin "ext" skipped/m);
  });

  it("search and info show plugin agents and the versions history gave them", async () => {
    await add();
    const s = await sb.json(["search", "reviewer"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.data.results.filter((h: { registry: string }) => h.registry === "mk").map((h: { name: string; version: string }) => [h.name, h.version])).toEqual([
      ["alpha:reviewer", "2.0.0"],
      ["beta:reviewer", "3.1.0"],
    ]);
    const info = await sb.json(["info", "solo"]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.data).toMatchObject({ name: "solo", registry: "mk", latest: "2.0.0", description: "works alone" });
    expect(info.data.versions.map((v: { version: string }) => v.version)).toEqual(["2.0.0", "1.1.0", "1.0.0"]);
    const beta = await sb.json(["info", "beta:reviewer"]);
    expect(beta.data.versions.map((v: { version: string }) => v.version)).toEqual(["3.1.0", "3.0.0"]);
    const gamma = await sb.json(["info", "gamma-agent"]);
    expect(gamma.data.versions).toHaveLength(2);
    expect(gamma.data.latest).toMatch(/^0\.0\.0-\d{14}\.[0-9a-f]{7}$/);
  });

  it("installs an old version from its commit, upgrades within the range, then past it", async () => {
    await add();
    const r = await sb.run(["install", "alpha:reviewer@1.0.0"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/alpha/reviewer.md")).toBe(REVIEWER("1.0.0"));
    expect(lock(sb)["alpha:reviewer"]).toEqual({
      version: "1.0.0",
      registry: "mk",
      url: mk.url,
      commit: c[0],
      path: "plugins/alpha/agents/reviewer.md",
      sha256: sha256(REVIEWER("1.0.0")),
      file: ".claude/agents/alpha/reviewer.md",
    });
    expect(manifest(sb).agents).toEqual({ "alpha:reviewer": "^1.0.0" });
    const up = await sb.json(["upgrade"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.data.steps).toEqual([expect.objectContaining({ op: "update", name: "alpha:reviewer", from: "1.0.0", to: "1.1.0" })]);
    expect(sb.file(".claude/agents/alpha/reviewer.md")).toBe(REVIEWER("1.1.0"));
    expect(lock(sb)["alpha:reviewer"].commit).toBe(c[2]);
    const refused = await sb.run(["upgrade", "--latest"]);
    expect(refused.code).toBe(3); // 2.0.0 adds Bash: a permission change needs --yes
    const latest = await sb.run(["upgrade", "--latest", "--yes"]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(sb.file(".claude/agents/alpha/reviewer.md")).toBe(REVIEWER("2.0.0", "Read, Grep, Bash"));
    expect(manifest(sb).agents["alpha:reviewer"]).toBe("^2.0.0");
  });

  it("a version is the newest commit that still had it: an unbumped fix is part of it", async () => {
    await add();
    expect((await sb.run(["install", "solo@1.1.0"])).code).toBe(0);
    expect(sb.file(".claude/agents/solo.md")).toBe(SOLO("1.1.0 fixed"));
    expect(lock(sb).solo).toMatchObject({ version: "1.1.0", commit: c[2] });
  });

  it("refuses to overwrite a locally edited file (exit 3, nothing changed)", async () => {
    await add();
    expect((await sb.run(["install", "alpha:reviewer@1.0.0", "solo@1.0.0"])).code).toBe(0);
    fs.appendFileSync(path.join(sb.project, ".claude/agents/alpha/reviewer.md"), "my tweak\n");
    const before = snapshot(sb.project);
    const r = await sb.run(["upgrade"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(".claude/agents/alpha/reviewer.md");
    expect(snapshot(sb.project)).toEqual(before);
    expect((await sb.run(["upgrade", "--keep"])).code).toBe(0);
    expect(lock(sb).solo.version).toBe("1.1.0");
    expect(sb.file(".claude/agents/alpha/reviewer.md")).toContain("my tweak");
  });

  it("reproduces the lock with an empty cache: same bytes, read at the locked commit", async () => {
    await add();
    expect((await sb.run(["install", "alpha:reviewer@1.0.0", "gamma-agent"])).code).toBe(0);
    const before = snapshot(sb.project);
    fs.rmSync(path.join(sb.root, "cache"), { recursive: true, force: true });
    fs.rmSync(path.join(sb.project, ".claude/agents"), { recursive: true });
    const r = await sb.run(["install"]);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(sb.project)).toEqual(before);
    // a lock whose sha256 does not match the file at its commit is refused
    const tampered = lock(sb);
    tampered["alpha:reviewer"].sha256 = sha256("something else");
    fs.writeFileSync(path.join(sb.project, ".claude/agentpkg.lock"), JSON.stringify({ lockfileVersion: 1, agents: tampered }));
    fs.rmSync(path.join(sb.root, "cache", "agentpkg", "store"), { recursive: true, force: true });
    fs.rmSync(path.join(sb.project, ".claude/agents/alpha/reviewer.md"));
    const bad = await sb.run(["install"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sha256 mismatch for plugins\/alpha\/agents\/reviewer\.md/);
  });

  it("explains ambiguous names and plugins from other sources; never crashes", async () => {
    await add();
    const ambiguous = await sb.run(["install", "reviewer"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/agent "reviewer" is defined by several plugins of registry mk: alpha:reviewer, beta:reviewer/);
    const ext = await sb.run(["install", "ext"]);
    expect(ext.code).toBe(5);
    expect(ext.stderr).toMatch(/plugin "ext" of registry mk cannot be installed from: .*npm source \(@acme\/ext\).*does not support/);
    expect(ext.stderr).toContain("install its agents from where the plugin is published");
    for (const r of [ambiguous, ext]) noStack(r.stderr);
    expect(fs.existsSync(path.join(sb.project, ".claude/agents"))).toBe(false);
  });

  it("plugins sharing the repository root (source ./) each own the agents they list", async () => {
    const shared = new Repo(sb.root, "shared-root");
    shared
      .write(".claude-plugin/marketplace.json", {
        name: "s",
        plugins: [
          { name: "one", source: "./", strict: false, version: "1.0.0", agents: ["./agents/a.md"] },
          { name: "two", source: "./", strict: false, version: "2.0.0", agents: ["./agents/b.md", "./agents/shared.md"] },
          { name: "three", source: "./", strict: false, version: "3.0.0", agents: ["./agents/shared.md"] },
        ],
      })
      .write("agents/a.md", agentText("a"))
      .write("agents/b.md", agentText("b"))
      .write("agents/shared.md", agentText("shared"))
      .write("agents/unlisted.md", agentText("unlisted"))
      .commit("one");
    const r = await sb.json(["registry", "add", "s", shared.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ agents: 4, warnings: [] });
    const latest = async (name: string) => (await sb.json(["info", name])).data.latest;
    expect([await latest("a"), await latest("b"), await latest("shared"), await latest("unlisted")]).toEqual(["1.0.0", "2.0.0", "2.0.0", "1.0.0"]);
    expect((await sb.run(["install", "two:b"])).code).toBe(0);
    expect(fs.existsSync(path.join(sb.project, ".claude/agents/two/b.md"))).toBe(true);
  });

  it("a malformed marketplace.json is a clear error, at add time and after a bad push", async () => {
    const bad = new Repo(sb.root, "bad-market");
    bad.write(".claude-plugin/marketplace.json", '{ "name": "x", "plugins": [ { "name": "a", } ] }').commit("broken");
    const r = await sb.run(["registry", "add", "bad", bad.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error bad \.claude-plugin\/marketplace\.json:1: invalid JSON/m);
    noStack(r.stderr);
    await add();
    expect((await sb.run(["install", "solo"])).code).toBe(0);
    mk.write(".claude-plugin/marketplace.json", { name: "mk", plugins: "nope" }).commit("oops");
    const up = await sb.run(["upgrade"]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/mk \.claude-plugin\/marketplace\.json: "plugins" must be an array/);
    noStack(up.stderr);
    expect((await sb.run(["verify"])).code).toBe(0);
  });
});

describe("a plain repository of agent files", () => {
  let repo: Repo;
  const WRITER = (v: string) => agentText("writer", { description: "writes", body: `Write ${v}.\n` });
  const REVIEWER = (v: string) => agentText("reviewer", { description: "reviews", body: `Review ${v}.\n` });

  beforeEach(() => {
    repo = new Repo(sb.root, "plain");
    repo
      .write("README.md", "# Agents\n")
      .write("docs/guide.md", "---\ntitle: Guide\n---\nHow to.\n")
      .write("skills/pdf/SKILL.md", "---\nname: pdf\ndescription: a skill, not an agent\n---\n")
      .write("agents/reviewer.md", REVIEWER("1.0.0"))
      .write("agents/writer.md", WRITER("1.0.0"))
      .write("deep/nested/folder/helper.md", agentText("helper"))
      .write("agents/broken.md", "---\nname: broken\n---\nno description\n")
      .commit("one");
    repo.tag("v1.0.0");
    repo.write("agents/reviewer.md", REVIEWER("1.1.0")).commit("two");
    repo.tag("v1.1.0");
    repo.write("agents/writer.md", WRITER("2.0.0")).commit("three");
    repo.tag("writer@2.0.0");
  });

  it("registry add detects it; lists agent files anywhere, skipping docs, skills and broken files", async () => {
    const r = await sb.json(["registry", "add", "pl", repo.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ type: "plain", agents: 3 });
    expect(r.data.warnings).toEqual([expect.stringMatching(/^pl: agents\/broken\.md.*description.*skipped$/)]);
    expect(manifest(sb).registries.pl).toEqual({ url: repo.url, type: "plain" });
    const info = await sb.json(["info", "reviewer"]);
    expect(info.data.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    const writer = await sb.json(["info", "writer"]);
    expect(writer.data.versions.map((v: { version: string }) => v.version)).toEqual(["2.0.0"]);
    const s = await sb.json(["search", "helper"]);
    expect(s.data.results[0]).toMatchObject({ name: "helper", registry: "pl", version: "1.1.0" });
  });

  it("versions from tags: install an old one, upgrade, detect local edits", async () => {
    expect((await sb.run(["registry", "add", "pl", repo.url])).code).toBe(0);
    expect((await sb.run(["install", "reviewer@1.0.0"])).code).toBe(0);
    expect(sb.file(".claude/agents/reviewer.md")).toBe(REVIEWER("1.0.0"));
    expect(lock(sb).reviewer).toMatchObject({ version: "1.0.0", path: "agents/reviewer.md", commit: git(repo.dir, ["rev-parse", "v1.0.0"]).trim() });
    fs.appendFileSync(path.join(sb.project, ".claude/agents/reviewer.md"), "mine\n");
    expect((await sb.run(["upgrade"])).code).toBe(3);
    expect(sb.file(".claude/agents/reviewer.md")).toBe(REVIEWER("1.0.0") + "mine\n");
    const forced = await sb.run(["upgrade", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(sb.file(".claude/agents/reviewer.md")).toBe(REVIEWER("1.1.0"));
  });

  it("without tags every commit that changed a file is a prerelease: latest, by commit, and upgrade", async () => {
    const bare = new Repo(sb.root, "untagged");
    const commits = ["one", "two", "three"].map((v) => bare.write("a/x.md", agentText("x", { body: `x ${v}\n` })).write("b/other.md", agentText("other", { body: `${v}\n` })).commit(v));
    expect((await sb.run(["registry", "add", "raw", bare.url])).code).toBe(0);
    const info = await sb.json(["info", "x"]);
    const versions = info.data.versions.map((v: { version: string }) => v.version);
    expect(versions).toHaveLength(3);
    // the test commits share one timestamp: versions still sort in history order
    expect(versions.map((v: string) => v.slice(-7))).toEqual([...commits].reverse().map((sha) => sha.slice(0, 7)));
    expect((await sb.run(["install", `x@${commits[0]!.slice(0, 8)}`])).code).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x", { body: "x one\n" }));
    expect(manifest(sb).agents.x).toBe(`^${versions[2]}`);
    const up = await sb.run(["upgrade"]);
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x", { body: "x three\n" }));
    expect((await sb.run(["install", "other"])).code).toBe(0);
    expect(lock(sb).other).toMatchObject({ version: versions[0], commit: commits[2] });
  });

  it("--type overrides detection", async () => {
    const mixed = new Repo(sb.root, "mixed");
    mixed.write(".claude-plugin/marketplace.json", { name: "m", plugins: [] }).write("agents/a.md", agentText("a")).commit("one");
    const asMarket = await sb.json(["registry", "add", "m1", mixed.url]);
    expect(asMarket.data).toMatchObject({ type: "marketplace", agents: 0 });
    const asPlain = await sb.json(["registry", "add", "m2", mixed.url, "--type", "plain"]);
    expect(asPlain.data).toMatchObject({ type: "plain", agents: 1 });
    const bad = await sb.run(["registry", "add", "m3", mixed.url, "--type", "svn"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid registry type "svn"/);
  });
});

describe("scale", () => {
  it("lists a marketplace of 100 plugins / 200 agents with version history, and a warm search runs no git", async () => {
    const mk = new Repo(sb.root, "big");
    const plugins = Array.from({ length: 100 }, (_, i) => `plugin-${String(i).padStart(3, "0")}`);
    mk.write(".claude-plugin/marketplace.json", { name: "big", plugins: plugins.map((p) => ({ name: p, source: `./plugins/${p}` })) });
    plugins.forEach((p, i) => {
      mk.write(`plugins/${p}/.claude-plugin/plugin.json`, { name: p, version: "1.0.0" });
      for (const j of [0, 1]) mk.write(`plugins/${p}/agents/agent-${i}-${j}.md`, agentText(`agent-${i}-${j}`));
    });
    mk.commit("all plugins at 1.0.0");
    for (let round = 1; round <= 30; round++) {
      for (let k = 0; k < 5; k++) {
        const i = (round * 7 + k * 13) % 100;
        mk.write(`plugins/${plugins[i]}/.claude-plugin/plugin.json`, { name: plugins[i], version: `1.${round}.0` });
        mk.write(`plugins/${plugins[i]}/agents/agent-${i}-0.md`, agentText(`agent-${i}-0`, { body: `round ${round}\n` }));
      }
      mk.commit(`round ${round}`);
    }
    const cold = await sb.json(["registry", "add", "big", mk.url]);
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.data.agents).toBe(200);
    // warm, the listing is one cached index file: no git (and no history replay) at all. How long either
    // takes is the benchmark's business (npm run bench), not a test's.
    const noGit = path.join(sb.root, "no-git-bin");
    fs.mkdirSync(noGit);
    fs.symlinkSync(process.execPath, path.join(noGit, "node"));
    const warm = await sb.json(["search", "agent-7-0"], { env: { AGENTPKG_REGISTRY_TTL: "600", PATH: noGit } });
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.data.results[0]).toMatchObject({ name: "agent-7-0", registry: "big" });
  });
});
