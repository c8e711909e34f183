import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { offlineGitEnv, type RefreshPolicy } from "../../store/git-mirrors.js";
import { GitRegistrySource } from "./git-registry-source.js";
import { shardPath } from "../index/shard-path.js";

// A sharded registry written by hand, as `registry init`/`publish` write it (docs/registries.md), served
// over file:// with filters allowed: the mirror is a treeless clone, as from GitHub.
const temps: string[] = [];
const temp = (prefix: string) => {
  temps.push(mkdtempSync(path.join(tmpdir(), prefix)));
  return temps.at(-1)!;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
const sh = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env }).trim();
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const blobId = (s: string) => createHash("sha1").update(`blob ${Buffer.byteLength(s)}\0`).update(s).digest("hex");
const text = (name: string) => `---\nname: ${name}\ndescription: ${name} agent\n---\nYou are ${name}.\n`;

/** `shards`: a shard's text in place of the right one (a string), or a symlink to another path (`{ link }`). */
function shardedRepo(names: string[], o: { config?: string; shards?: Record<string, string | { link: string }>; noShards?: boolean } = {}): string {
  const dir = temp("agentpkg-sharded-");
  sh(dir, "init", "-q", "-b", "main");
  const write = (rel: string, content: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  };
  const agents: Record<string, unknown> = {};
  for (const name of names) {
    const file = `agents/${name}/1.0.0.md`;
    write(file, text(name));
    const entry = { description: `${name} agent`, versions: { "1.0.0": { path: file, sha256: sha256(text(name)) } }, tags: {} };
    agents[name] = entry;
    const own = o.shards?.[name];
    if (o.noShards) continue;
    if (typeof own === "object") {
      mkdirSync(path.dirname(path.join(dir, shardPath(name))), { recursive: true });
      symlinkSync(own.link, path.join(dir, shardPath(name)));
    } else {
      const shard = { name, ...entry, versions: { "1.0.0": { ...entry.versions["1.0.0"], blob: blobId(text(name)) } } };
      write(shardPath(name), own ?? JSON.stringify(shard, null, 2) + "\n");
    }
  }
  write("registry.json", JSON.stringify({ name: "reg", agents }, null, 2) + "\n");
  write("index/config.json", o.config ?? JSON.stringify({ format: 1, agents: names.length }) + "\n");
  sh(dir, "add", "-A");
  sh(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "publish");
  sh(dir, "config", "uploadpack.allowFilter", "true");
  return dir;
}

const open = (repo: string, cache: string, policy: RefreshPolicy = "if-stale") => GitRegistrySource.open("reg", `file://${repo}`, { cache, env, policy, ttlMs: 60_000 });
const mirrorOf = (cache: string) => path.join(cache, "git", readdirSync(path.join(cache, "git")).find((d) => !d.includes("."))!);
const present = (mirror: string, object: string) => {
  try {
    execFileSync("git", ["cat-file", "-e", object], { cwd: mirror, env: offlineGitEnv(env), stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("a sharded registry (real git repositories)", () => {
  it("reads one agent's shard and its file by blob id: no other agent's tree or blob, nor registry.json, is fetched", async () => {
    const repo = shardedRepo(["alpha", "alder", "bravo"]);
    const cache = temp("agentpkg-cache-");
    const source = await open(repo, cache);
    expect(await source.countAgents()).toBe(3);
    const alpha = (await source.getAgent("alpha"))!;
    expect(alpha.versions["1.0.0"]!.blob).toBe(blobId(text("alpha")));
    expect((await source.readVersion(alpha.versions["1.0.0"]!)).content.toString()).toBe(text("alpha"));
    expect(await source.getAgent("zulu")).toBeNull();
    expect(await source.getAgent("al/../x")).toBeNull();
    const m = mirrorOf(cache);
    const rev = (spec: string) => sh(repo, "rev-parse", `HEAD:${spec}`);
    expect(present(m, rev("agents/alpha/1.0.0.md"))).toBe(true);
    expect([rev("agents"), rev("index/br"), rev("agents/bravo/1.0.0.md"), rev("index/br/bravo.json"), rev("registry.json")].map((o) => present(m, o))).toEqual([false, false, false, false, false]);
    expect(readdirSync(m).filter((f) => f.endsWith(".lines"))).toEqual([]); // no registry.json index built
  });

  it("refuses a shard that names another agent, is too large, is not a regular file or is invalid", async () => {
    const good = (name: string, o: object = {}) => JSON.stringify({ name, versions: { "1.0.0": { path: `agents/${name}/1.0.0.md`, sha256: sha256(text(name)) } }, ...o });
    const repo = shardedRepo(["alpha", "mixed", "huge", "linked", "badsha"], {
      shards: { mixed: good("alpha"), huge: good("huge", { description: "x".repeat(1024 * 1024) }), linked: { link: "../al/alpha.json" }, badsha: good("badsha").replace(/"sha256":"[0-9a-f]+"/, '"sha256":"nope"') },
    });
    const source = await open(repo, temp("agentpkg-cache-"));
    await expect(source.getAgent("mixed")).rejects.toMatchObject({ code: "E_REGISTRY_INVALID", message: expect.stringMatching(/index\/mi\/mixed\.json: "name" is "alpha"/) });
    await expect(source.getAgent("huge")).rejects.toMatchObject({ code: "E_REGISTRY_INVALID", message: expect.stringMatching(/index\/hu\/huge\.json is \d+ bytes, over the 1048576-byte limit/) });
    await expect(source.getAgent("linked")).rejects.toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(/index\/li\/linked\.json is not a regular file \(mode 120000\)/) });
    await expect(source.getAgent("badsha")).rejects.toMatchObject({ code: "E_REGISTRY_INVALID", message: expect.stringMatching(/sha256 must be/) });
  });

  it("reads a version's path when its blob id cannot be read or is another file", async () => {
    const shard = (name: string, blob: string) => JSON.stringify({ name, versions: { "1.0.0": { path: `agents/${name}/1.0.0.md`, sha256: sha256(text(name)), blob } } });
    const repo = shardedRepo(["alpha", "bravo"], { shards: { alpha: shard("alpha", "1".repeat(40)), bravo: shard("bravo", blobId(text("alpha"))) } });
    const source = await open(repo, temp("agentpkg-cache-"));
    for (const name of ["alpha", "bravo"]) {
      expect((await source.readVersion((await source.getAgent(name))!.versions["1.0.0"]!)).content.toString()).toBe(text(name));
    }
  });

  it("reads registry.json when index/config.json is of an unknown format (a newer writer)", async () => {
    const repo = shardedRepo(["alpha", "bravo"], { config: '{"format": 2, "agents": 2}\n', noShards: true });
    const cache = temp("agentpkg-cache-");
    const source = await open(repo, cache);
    expect((await source.getAgent("bravo"))?.versions["1.0.0"]!.blob).toBeUndefined();
    expect((await source.readVersion((await source.getAgent("bravo"))!.versions["1.0.0"]!)).content.toString()).toBe(text("bravo"));
    expect(readdirSync(mirrorOf(cache)).some((f) => f.endsWith(".v4.lines"))).toBe(true);
  });

  it("--offline reads what an earlier run fetched, and is E_OFFLINE for a shard it never fetched", async () => {
    const repo = shardedRepo(["alpha", "bravo"]);
    const cache = temp("agentpkg-cache-");
    const warm = await open(repo, cache);
    await warm.readVersion((await warm.getAgent("alpha"))!.versions["1.0.0"]!);
    const offline = await open(repo, cache, "never");
    const alpha = (await offline.getAgent("alpha"))!;
    expect((await offline.readVersion(alpha.versions["1.0.0"]!)).content.toString()).toBe(text("alpha"));
    await expect(offline.getAgent("bravo")).rejects.toMatchObject({ code: "E_OFFLINE", hint: expect.stringMatching(/without --offline/) });
    expect(existsSync(path.join(mirrorOf(cache), "shallow"))).toBe(true);
  });
});
