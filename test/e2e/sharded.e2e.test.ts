// A sharded registry (index/config.json + index/<aa>/<name>.json) read from a treeless clone: a cold
// install fetches that agent's shard and file only, --offline never fetches, and an install from a lock
// makes the trees and the files present in one fetch each, however many agents and trees.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execaSync } from "execa";
import { agentText, git, GitRepo, Sandbox, sha256 } from "./helpers.js";

const blobId = (s: string) => createHash("sha1").update(`blob ${Buffer.byteLength(s)}\0`).update(s).digest("hex");
const NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
const text = (name: string) => agentText(name, { description: `${name} agent`, body: `You are ${name}.\n` });

/** What `registry init`/`publish` write: registry.json, and the sharded index beside it (written by hand here). */
function shardedRegistry(root: string): GitRepo {
  const repo = new GitRepo(root, "sharded");
  const agents: Record<string, unknown> = {};
  for (const name of NAMES) {
    const file = `agents/${name}/1.0.0.md`;
    repo.write(file, text(name));
    const entry = { description: `${name} agent`, versions: { "1.0.0": { path: file, sha256: sha256(text(name)) } }, tags: { latest: "1.0.0" } };
    agents[name] = entry;
    repo.write(`index/${name.slice(0, 2)}/${name}.json`, { name, ...entry, versions: { "1.0.0": { ...entry.versions["1.0.0"], blob: blobId(text(name)) } } });
  }
  repo.write("registry.json", { name: "sharded", agents }).write("index/config.json", { format: 1, agents: NAMES.length });
  repo.commit("publish");
  git(repo.dir, ["config", "uploadpack.allowFilter", "true"]); // as GitHub and GitLab: partial clones allowed
  return repo;
}

let sb: Sandbox;
let repo: GitRepo;
beforeEach(() => {
  sb = new Sandbox();
  repo = shardedRegistry(sb.root);
});
afterEach(() => sb.cleanup());

const mirror = () => {
  const dir = path.join(sb.root, "cache", "agentpkg", "git");
  return path.join(dir, fs.readdirSync(dir).find((d) => d.startsWith("sharded-") && !d.includes("."))!);
};
const has = (object: string) => execaSync("git", ["cat-file", "-e", object], { cwd: mirror(), env: { GIT_ALLOW_PROTOCOL: "none" }, reject: false }).exitCode === 0;
const at = (spec: string) => git(repo.dir, ["rev-parse", `HEAD:${spec}`]).trim();

/**
 * From git's trace of a command: agentpkg's own `git fetch` runs, and the round trips to the registry (each
 * clone or fetch over file:// runs one `git-upload-pack`, which inherits the trace; git's on-demand fetches
 * too, where one that --offline or a presence check refuses never gets that far).
 */
function tripsOf(trace: string): { fetches: string[][]; trips: number } {
  const starts = fs.readFileSync(trace, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.event === "start");
  const fetches = starts.filter((e) => !e.sid.includes("/") && e.argv.includes("fetch")).map((e) => e.argv as string[]);
  return { fetches, trips: starts.filter((e) => e.argv[0] === "git-upload-pack").length };
}

describe("a sharded registry", () => {
  it("installs one agent from a treeless clone: the mirror never gets the other agents' trees and files", async () => {
    expect((await sb.run(["registry", "add", "big", repo.url])).stdout).toMatch(/6 agents/);
    const r = await sb.run(["install", "charlie"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/charlie.md")).toBe(text("charlie"));
    expect(has(at("agents/charlie/1.0.0.md"))).toBe(true);
    const others = ["agents", "index/al", "index/br", "agents/bravo/1.0.0.md", "index/br/bravo.json", "registry.json"].map(at);
    expect(others.filter(has)).toEqual([]);
    expect(fs.readdirSync(mirror()).filter((f) => f.endsWith(".lines"))).toEqual([]); // registry.json never indexed

    // --offline: what was fetched is read warm; what never was is a clean E_OFFLINE, nothing written
    expect((await sb.run(["info", "charlie", "--offline"])).code).toBe(0);
    const before = sb.snapshotRoot();
    const off = await sb.run(["install", "bravo", "--offline"]);
    expect(off.code).toBe(6);
    expect(off.stderr).toMatch(/not in the cache \(--offline\)[\s\S]*run once without --offline/);
    expect(off.stderr).not.toMatch(/\n\s+at /);
    expect(sb.snapshotRoot()).toEqual(before);

    // --offline, listing every agent needs registry.json, never fetched: the registry is skipped, nothing fetched
    const offSearch = await sb.run(["search", "foxtrot", "--offline"]);
    expect(offSearch.stderr).toMatch(/registry big skipped: .* not in the cache \(--offline\)/);
    expect(has(at("registry.json"))).toBe(false);

    // listing every agent reads registry.json (its index is built then, every tree in one fetch)
    const found = await sb.run(["search", "foxtrot"]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/foxtrot\s+1\.0\.0/);
  });

  it("installs a manifest's agents, then a lock's on a fresh clone, in a few round trips whatever their number", async () => {
    await sb.run(["registry", "add", "big", repo.url]);
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    sb.write(".claude/agentpkg.json", JSON.stringify({ ...manifest, agents: Object.fromEntries(NAMES.map((n) => [n, "^1.0.0"])) }));
    const resolving = path.join(sb.root, "resolving.json");
    expect((await sb.run(["install"], { env: { GIT_TRACE2_EVENT: resolving } })).code).toBe(0);
    // the registry's head (AGENTPKG_REGISTRY_TTL=0 here), then, resolved together, their index/<p> folders
    // in one fetch, their shards in one and their files in one
    expect(tripsOf(resolving).trips).toBe(4);
    fs.rmSync(path.join(sb.root, "cache"), { recursive: true, force: true });
    fs.rmSync(path.join(sb.project, ".claude", "agents"), { recursive: true, force: true });
    const trace = path.join(sb.root, "from-lock.json");
    const r = await sb.run(["install"], { env: { GIT_TRACE2_EVENT: trace } });
    expect(r.code, r.stderr).toBe(0);
    for (const name of NAMES) expect(sb.file(`.claude/agents/${name}.md`)).toBe(text(name));
    // the clone, index/config.json (the root, index/, the file), then every tree at once and every file at
    // once: 6 round trips for 6 agents in 6 folders of index/ and agents/ (git on its own: one per tree or file)
    const { fetches, trips } = tripsOf(trace);
    expect(fetches.filter((a) => a.includes("--filter=blob:none"))).toHaveLength(2);
    expect(trips).toBe(6);

    // every tree is present now, registry.json is not: --offline must not let git fetch it to learn its size
    const offSearch = await sb.run(["search", "alpha", "--offline"]);
    expect(offSearch.stderr).toMatch(/registry big skipped: .* not in the cache \(--offline\)/);
    expect(has(at("registry.json"))).toBe(false);
  });

  it("installs several names given at once in the round trips of one", async () => {
    await sb.run(["registry", "add", "big", repo.url]);
    const trace = path.join(sb.root, "names.json");
    const r = await sb.run(["install", ...NAMES], { env: { GIT_TRACE2_EVENT: trace } });
    expect(r.code, r.stderr).toBe(0);
    for (const name of NAMES) expect(sb.file(`.claude/agents/${name}.md`)).toBe(text(name));
    expect(tripsOf(trace).trips).toBe(4); // the head, then the index/<p> folders, the shards, the files: each in one
  });

  it("falls back to a blobless clone on a server that allows filters but not tree:0, and still installs", async () => {
    git(repo.dir, ["config", "uploadpackfilter.tree.allow", "false"]);
    expect((await sb.run(["registry", "add", "big", repo.url])).code).toBe(0);
    const r = await sb.run(["install", "charlie"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/charlie.md")).toBe(text("charlie"));
    expect(git(mirror(), ["config", "remote.origin.partialclonefilter"]).trim()).toBe("blob:none");
    expect(has(at("agents/bravo/1.0.0.md"))).toBe(false); // still partial: files only as needed
    git(repo.dir, ["config", "uploadpackfilter.allow", "false"]); // now no filter at all: a plain fetch
    expect((await sb.run(["registry", "update"])).code).toBe(0);
  });
});
