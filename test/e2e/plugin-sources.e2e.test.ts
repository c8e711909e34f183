// Plugins that live outside their marketplace's repository (github, url and git-subdir sources, issue #16),
// a marketplace with a long history, GitHub shorthand and `@<commit>` of any commit. "GitHub" is a folder
// of local repositories that the sandbox HOME's own git config reaches through url.<base>.insteadOf, as a
// corporate mirror would: agentpkg never sees a file:// url for them.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, git, GitRepo, Sandbox, snapshot } from "./helpers.js";
import { makeLongMarketplace } from "../../bench/marketplace-fixture.mjs";

let sb: Sandbox;
let gh: string;
let solo: GitRepo;
let mono: GitRepo;
let follow: GitRepo;
let mk: GitRepo;
const c = {} as Record<"solo1" | "solo2" | "mono1" | "follow1" | "mk1", string>;

const lock = () => JSON.parse(sb.file(".claude/agentpkg.lock"));
const manifest = () => JSON.parse(sb.file(".claude/agentpkg.json"));
const cacheGit = () => path.join(sb.root, "cache", "agentpkg", "git");
const pluginMirrors = () => (fs.existsSync(cacheGit()) ? fs.readdirSync(cacheGit()).filter((d) => d.endsWith("-plugin")) : []);
/** A repository served as https://github.com/OWNER/NAME.git (its folder is NAME.git, as on a git server). */
const ghRepo = (owner: string, name: string) => new GitRepo(path.join(gh, owner), `${name}.git`);

/** Everything agentpkg wrote into the project but its manifest and lock (and the whole cache): a fresh clone. */
function freshClone(): void {
  for (const d of [".claude/agents", ".claude/commands", ".claude/skills", ".claude/agentpkg"]) fs.rmSync(path.join(sb.project, d), { recursive: true, force: true });
  fs.rmSync(path.join(sb.root, "cache"), { recursive: true, force: true });
}

function marketplace(entries: Record<string, unknown>[]): void {
  mk.write(".claude-plugin/marketplace.json", { name: "ext-market", owner: { name: "tests" }, plugins: entries });
}

const entries = () => [
  { name: "inrepo", source: "./plugins/inrepo", description: "Lives in the marketplace" },
  { name: "pinned", source: { source: "url", url: "https://github.com/acme/solo-plugin.git", ref: "main", sha: c.solo1 }, version: "1.0.0", description: "Pinned by sha" },
  { name: "alpha", source: { source: "git-subdir", url: "https://github.com/acme/mono.git", path: "plugins/alpha", ref: "v1" }, description: "One folder of a monorepo" },
  { name: "follow", source: { source: "github", repo: "acme/follow" }, description: "Follows a branch" },
  { name: "gone", source: { source: "url", url: "https://github.com/acme/missing.git" }, description: "Nobody serves it" },
];

beforeEach(async () => {
  sb = new Sandbox();
  gh = path.join(sb.root, "gh");
  fs.writeFileSync(path.join(sb.home, ".gitconfig"), `[url "file://${gh}/"]\n\tinsteadOf = https://github.com/\n`);

  solo = ghRepo("acme", "solo-plugin");
  solo.write(".claude-plugin/plugin.json", { name: "pinned", version: "1.0.0" }).write("agents/helper.md", agentText("helper", { body: "Version one.\n" }));
  c.solo1 = solo.commit("1.0.0");
  solo.write(".claude-plugin/plugin.json", { name: "pinned", version: "1.1.0" }).write("agents/helper.md", agentText("helper", { body: "Version two.\n" }));
  c.solo2 = solo.commit("1.1.0"); // main has moved past the pinned sha

  mono = ghRepo("acme", "mono");
  mono.write("README.md", "# a monorepo\n").write("secrets.txt", "not part of any plugin\n");
  mono.write("plugins/alpha/.claude-plugin/plugin.json", { name: "alpha", version: "0.5.0" });
  mono.write("plugins/alpha/agents/alpha-agent.md", agentText("alpha-agent")).write("plugins/alpha/agents/alpha-two.md", agentText("alpha-two"));
  mono.write("plugins/alpha/commands/hi.md", "---\ndescription: Says hi\n---\nHi.\n");
  mono.write("plugins/beta/agents/beta-agent.md", agentText("beta-agent"));
  c.mono1 = mono.commit("alpha 0.5.0");
  mono.tag("v1");
  mono.write("plugins/alpha/agents/alpha-agent.md", agentText("alpha-agent", { body: "Unreleased.\n" }));
  mono.commit("work after v1");

  follow = ghRepo("acme", "follow");
  follow.write("agents/follower.md", agentText("follower", { body: "First.\n" }));
  c.follow1 = follow.commit("first");

  mk = ghRepo("acme", "market");
  mk.write("plugins/inrepo/agents/in-agent.md", agentText("in-agent"));
  marketplace(entries());
  c.mk1 = mk.commit("five plugins");
  // GitHub shorthand: acme/market is https://github.com/acme/market.git, which the user's insteadOf serves
  const r = await sb.run(["registry", "add", "mk", "acme/market"]);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => sb.cleanup());

describe("plugins from other repositories", () => {
  it("registry add lists them from their entries without fetching any, and records GitHub shorthand as its url", async () => {
    expect(manifest().registries.mk).toMatchObject({ url: "https://github.com/acme/market.git" });
    const r = await sb.json(["registry", "add", "mk2", "https://github.com/acme/market.git"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ type: "marketplace", plugins: 5, externalPlugins: 4, parts: { agent: 1 } });
    expect(r.data.warnings).toEqual([]);
    expect(pluginMirrors()).toEqual([]); // not one external repository fetched
    const human = await sb.run(["registry", "add", "mk3", "acme/market", "--dry-run"]);
    expect(human.stdout).toContain("5 plugins: 1 agent; 4 from other repositories, fetched when installed");
    // search shows them from their entries; info of one whose repository is unreachable still answers
    const s = await sb.json(["search", "pinned by sha"]);
    expect(s.data.results).toContainEqual(expect.objectContaining({ name: "pinned", type: "plugin", registry: "mk", description: "Pinned by sha", version: "1.0.0" }));
    const info = await sb.json(["info", "--plugin", "gone"]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.data).toMatchObject({ name: "gone", type: "plugin", description: "Nobody serves it" });
  });

  it("a url source pinned by sha installs that commit, locks it, and reinstalls byte for byte after its branch moved", async () => {
    const r = await sb.run(["install", "--plugin", "pinned"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/pinned/helper.md")).toContain("Version one.");
    const p = lock().plugins.pinned;
    expect(p).toMatchObject({ version: "1.0.0", registry: "mk", root: "", origin: { url: "https://github.com/acme/solo-plugin.git", commit: c.solo1 }, commit: c.mk1 });
    expect(pluginMirrors()).toHaveLength(1); // that plugin's repository only
    const installed = snapshot(path.join(sb.project, ".claude"));

    solo.write("agents/helper.md", agentText("helper", { body: "Version three.\n" })).commit("main moves on");
    freshClone();
    const again = await sb.run(["install"]);
    expect(again.code, again.stderr).toBe(0);
    expect(snapshot(path.join(sb.project, ".claude"))).toEqual(installed);
  });

  it("the marketplace pinning a new sha is an upgrade; the older version stays installable from history", async () => {
    expect((await sb.run(["install", "--plugin", "pinned"])).code).toBe(0);
    marketplace(entries().map((e) => (e.name === "pinned" ? { ...e, version: "1.1.0", source: { ...(e.source as object), sha: c.solo2 } } : e)));
    const mk2 = mk.commit("pinned 1.1.0");
    const up = await sb.run(["upgrade"]);
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/pinned/helper.md")).toContain("Version two.");
    expect(lock().plugins.pinned).toMatchObject({ version: "1.1.0", origin: { commit: c.solo2 }, commit: mk2 });

    const down = await sb.run(["install", "--plugin", "pinned@1.0.0"]);
    expect(down.code, down.stderr).toBe(0);
    expect(sb.file(".claude/agents/pinned/helper.md")).toContain("Version one.");
    expect(lock().plugins.pinned).toMatchObject({ version: "1.0.0", origin: { commit: c.solo1 } });
    // the pinned sha names the version too
    const bySha = await sb.run(["install", "--plugin", `pinned@${c.solo2.slice(0, 9)}`]);
    expect(bySha.code, bySha.stderr).toBe(0);
    expect(lock().plugins.pinned.version).toBe("1.1.0");
  });

  it("a git-subdir source at a tag takes only the files under its path; PLUGIN:PART installs one part of it", async () => {
    const r = await sb.run(["install", "--plugin", "alpha"]);
    expect(r.code, r.stderr).toBe(0);
    const vendored = Object.keys(snapshot(path.join(sb.project, ".claude/agentpkg/plugins/alpha"))).filter((f) => !f.endsWith("/")).sort();
    expect(vendored).toEqual([".claude-plugin/plugin.json", "agents/alpha-agent.md", "agents/alpha-two.md", "commands/hi.md"]);
    expect(sb.file(".claude/agents/alpha/alpha-agent.md")).not.toContain("Unreleased");
    expect(lock().plugins.alpha).toMatchObject({ version: "0.5.0", root: "plugins/alpha", origin: { url: "https://github.com/acme/mono.git", commit: c.mono1 } });
    expect(sb.exists(".claude/agents/alpha/beta-agent.md")).toBe(false);

    const rm = await sb.run(["remove", "--plugin", "alpha"]);
    expect(rm.code, rm.stderr).toBe(0);
    const part = await sb.run(["install", "alpha:alpha-two"]);
    expect(part.code, part.stderr).toBe(0);
    expect(sb.exists(".claude/agents/alpha/alpha-two.md")).toBe(true);
    expect(sb.exists(".claude/agents/alpha/alpha-agent.md")).toBe(false);
    expect(lock().plugins.alpha.parts).toEqual(["alpha-two"]);
  });

  it("a github source that follows a branch is versioned by the commit read; the lock holds it until upgrade", async () => {
    const r = await sb.run(["install", "--plugin", "follow"]);
    expect(r.code, r.stderr).toBe(0);
    const first = lock().plugins.follow;
    expect(first.version).toMatch(/^0\.0\.0-\d{14}\.g?[0-9a-f]{7}$/);
    expect(first.version).toContain(c.follow1.slice(0, 7));
    expect(first.origin).toEqual({ url: "https://github.com/acme/follow.git", commit: c.follow1 });
    const installed = snapshot(path.join(sb.project, ".claude"));

    git(follow.dir, ["commit", "-q", "--allow-empty", "-m", "nothing"]);
    follow.write("agents/follower.md", agentText("follower", { body: "Second.\n" }));
    const follow2 = follow.commit("second");
    freshClone();
    expect((await sb.run(["install"])).code).toBe(0);
    expect(snapshot(path.join(sb.project, ".claude"))).toEqual(installed); // the locked commit, not the branch's tip

    const up = await sb.run(["upgrade"]);
    expect(up.code, up.stderr).toBe(0);
    expect(sb.file(".claude/agents/follow/follower.md")).toContain("Second.");
    expect(lock().plugins.follow.origin.commit).toBe(follow2);
    expect(lock().plugins.follow.version).toContain(follow2.slice(0, 7));
  });

  it("an unreachable repository fails only its own install or upgrade (exit 6), naming the plugin; the others go on", async () => {
    const before = snapshot(sb.project);
    const r = await sb.run(["install", "--plugin", "gone"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/plugin gone comes from https:\/\/github\.com\/acme\/missing\.git, which is unreachable/);
    expect(snapshot(sb.project)).toEqual(before);
    const ok = await sb.run(["install", "--plugin", "pinned"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await sb.run(["install", "--plugin", "follow"])).code).toBe(0);
    // follow's repository goes away: upgrading everything keeps it as locked, with a warning; naming it is exit 6
    fs.renameSync(follow.dir, `${follow.dir}.moved`);
    const upgrade = await sb.run(["upgrade"]);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(upgrade.stderr).toMatch(/plugin follow not upgraded: .*acme\/follow\.git, which is unreachable/);
    expect(lock().plugins.follow.origin.commit).toBe(c.follow1);
    const named = await sb.run(["upgrade", "follow"]);
    expect(named.code).toBe(6);
  });

  it("--offline reinstalls from the cache, and says what is missing from it", async () => {
    expect((await sb.run(["install", "--plugin", "pinned"])).code).toBe(0);
    fs.rmSync(path.join(sb.project, ".claude/agents"), { recursive: true });
    const off = await sb.run(["install", "--offline"]);
    expect(off.code, off.stderr).toBe(0);
    expect(sb.file(".claude/agents/pinned/helper.md")).toContain("Version one.");
    const missing = await sb.run(["install", "--plugin", "follow", "--offline"]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain("not in the cache (--offline)");
  });
});

describe("a marketplace with a long history", () => {
  it("adds (every version of a 1,500-commit marketplace.json streamed), lists old versions, and fails only an unreachable plugin", async () => {
    const plugins = 120;
    const commits = 1500;
    const url = makeLongMarketplace(path.join(sb.root, "long.git"), { plugins, commits });
    const r = await sb.json(["registry", "add", "long", url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ plugins, externalPlugins: plugins - plugins / 3 });
    // plugin-3 lives in the repository; its version changed at every commit n with 7n % plugins == 3
    const bumps = Array.from({ length: commits }, (_, n) => n).filter((n) => (n * 7) % plugins === 3);
    const latest = await sb.run(["install", "--plugin", "plugin-3"]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(lock().plugins["plugin-3"].version).toBe(`1.${bumps.at(-1)}.0`);
    const old = await sb.run(["install", "--plugin", `plugin-3@1.${bumps[2]}.0`]);
    expect(old.code, old.stderr).toBe(0);
    expect(lock().plugins["plugin-3"].version).toBe(`1.${bumps[2]}.0`);
    const external = await sb.run(["install", "--plugin", "plugin-1"]);
    expect(external.code).toBe(6); // github.com/org1/repo1 does not exist here
  });
});

describe("@<commit>", () => {
  it("installs an agent at any commit that changed it, also one on a merged branch", async () => {
    const plain = ghRepo("acme", "plain");
    plain.write("agents/x.md", agentText("x", { body: "One.\n" }));
    plain.commit("one");
    git(plain.dir, ["checkout", "-q", "-b", "side"]);
    plain.write("agents/x.md", agentText("x", { body: "From the side branch.\n" }));
    const side = plain.commit("side change");
    git(plain.dir, ["checkout", "-q", "main"]);
    git(plain.dir, ["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    plain.write("agents/x.md", agentText("x", { body: "Three.\n" }));
    plain.commit("three");
    expect(git(plain.dir, ["log", "--format=%H", "--", "agents/x.md"])).toContain(side);

    expect((await sb.run(["registry", "add", "plain", "acme/plain"])).code).toBe(0);
    const r = await sb.run(["install", `x@${side.slice(0, 8)}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toContain("From the side branch.");
    expect(lock().agents.x).toMatchObject({ commit: side, registry: "plain" });
    expect(lock().agents.x.version).toContain(side.slice(0, 7));
    const unknown = await sb.run(["install", "x@0123456789abcdef"]);
    expect(unknown.code).toBe(5);
  });
});
