import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { craftTar } from "../../../test/e2e/crafted-tar.js";
import { sha256 } from "../../util/hash.js";
import { deterministicTgz } from "../../archive/tar-write.js";
import { TarballSource } from "./tarball-source.js";
import { isTarballUrl } from "./tarball-url.js";

const AGENT = "---\nname: x\ndescription: X\n---\nYou are x.\n";
const registryJson = (sha = sha256(AGENT)) =>
  JSON.stringify({ name: "t", agents: { x: { versions: { "1.0.0": { path: "agents/x/1.0.0.md", sha256: sha } }, tags: { latest: "1.0.0" } } } });

let root: string;
let cache: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-tarball-"));
  cache = path.join(root, "cache");
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (name: string, bytes: Buffer) => {
  const file = path.join(root, name);
  fs.writeFileSync(file, bytes);
  return file;
};
const open = (file: string, policy: "always" | "if-stale" | "never" = "if-stale") => TarballSource.open("team", file, { cache, policy, ttlMs: 600_000 });

describe("isTarballUrl", () => {
  it.each([
    ["https://example.com/agents/registry.tgz", true],
    ["https://example.com/a/archive/main.tar.gz?token=1", true],
    ["./registry.TGZ", true],
    ["/srv/registry.tar.gz", true],
    ["https://github.com/acme/agents.git", false],
    ["git@github.com:acme/agents.git", false],
    ["/srv/registry", false],
  ])("%s -> %s", (url, want) => expect(isTarballUrl(url)).toBe(want));
});

describe("TarballSource", () => {
  it("reads a packed registry, extracted once into the cache under the archive's sha256", async () => {
    const bytes = deterministicTgz([
      { path: "registry.json", data: Buffer.from(registryJson()) },
      { path: "agents/x/1.0.0.md", data: Buffer.from(AGENT) },
    ]);
    const src = await open(write("reg.tgz", bytes));
    expect(src.kind).toBe("tarball");
    expect(src.commit).toBe(sha256(bytes));
    expect((await src.getAgent("x"))?.tags.latest).toBe("1.0.0");
    const v = (await src.getAgent("x"))!.versions["1.0.0"]!;
    const got = await src.readVersion(v, src.commit);
    expect(got.content.toString()).toBe(AGENT);
    expect(got.commit).toBe(sha256(bytes));
    expect(fs.readdirSync(path.join(cache, "tarballs"))).toEqual([sha256(bytes)]);
    expect((await open(path.join(root, "reg.tgz"), "never")).commit).toBe(sha256(bytes));
  });

  it("takes a GitHub-style archive with one top-level folder, skipping files it does not need", async () => {
    const bytes = craftTar([
      { path: "agents-main/", type: "Directory" },
      { path: "agents-main/README.png", data: Buffer.alloc(3 << 20) },
      { path: "agents-main/docs/link", type: "SymbolicLink", linkpath: "../README.png" },
      { path: "agents-main/registry.json", data: registryJson() },
      { path: "agents-main/agents/x/1.0.0.md", data: AGENT },
    ]);
    const src = await open(write("main.tar.gz", bytes));
    const v = (await src.getAgent("x"))!.versions["1.0.0"]!;
    expect((await src.readVersion(v)).content.toString()).toBe(AGENT);
    expect(fs.existsSync(path.join(cache, "tarballs", sha256(bytes), "README.png"))).toBe(false);
  });

  it("refuses an archive with no registry.json, and unsafe entries, writing nothing to the cache", async () => {
    await expect(open(write("a.tgz", craftTar([{ path: "agents/x.md", data: AGENT }])))).rejects.toMatchObject({ code: "E_REGISTRY_INVALID" });
    const evil = craftTar([{ path: "registry.json", data: registryJson() }, { path: "agents/x/1.0.0.md", type: "SymbolicLink", linkpath: "/etc/passwd" }]);
    await expect(open(write("b.tgz", evil))).rejects.toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(/symbolic link/) });
    const escape = craftTar([{ path: "registry.json", data: registryJson() }, { path: "../../x.md", data: AGENT }]);
    await expect(open(write("c.tgz", escape))).rejects.toMatchObject({ code: "E_UNSAFE" });
    expect(fs.existsSync(path.join(cache, "tarballs"))).toBe(false);
  });

  it("checks content against registry.json's sha256", async () => {
    const bytes = deterministicTgz([
      { path: "registry.json", data: Buffer.from(registryJson(sha256("something else"))) },
      { path: "agents/x/1.0.0.md", data: Buffer.from(AGENT) },
    ]);
    const src = await open(write("reg.tgz", bytes));
    await expect(src.readVersion((await src.getAgent("x"))!.versions["1.0.0"]!)).rejects.toMatchObject({ code: "E_INTEGRITY" });
  });

  it("refuses a lock's path out of the snapshot, and a folder of the snapshot linked elsewhere", async () => {
    const bytes = deterministicTgz([
      { path: "registry.json", data: Buffer.from(registryJson()) },
      { path: "agents/x/1.0.0.md", data: Buffer.from(AGENT) },
    ]);
    const src = await open(write("reg.tgz", bytes));
    const outside = path.join(root, "outside");
    fs.mkdirSync(path.join(outside, "x"), { recursive: true });
    fs.writeFileSync(path.join(outside, "x", "1.0.0.md"), AGENT);
    const escape = path.relative(path.join(cache, "tarballs", sha256(bytes)), path.join(outside, "x", "1.0.0.md"));
    await expect(src.readVersion({ version: "1.0.0", path: escape, sha256: sha256(AGENT) }, src.commit)).rejects.toMatchObject({
      code: "E_UNSAFE",
      message: expect.stringMatching(/is not a relative path inside the registry; nothing was read$/),
    });
    const agents = path.join(cache, "tarballs", sha256(bytes), "agents");
    fs.rmSync(agents, { recursive: true });
    fs.symlinkSync(outside, agents);
    await expect(src.readVersion({ version: "1.0.0", path: "agents/x/1.0.0.md", sha256: sha256(AGENT) }, src.commit)).rejects.toMatchObject({
      code: "E_UNSAFE",
      message: expect.stringMatching(/goes through a symlink \(agents\)/),
    });
  });

  it("an https archive is never downloaded offline", async () => {
    await expect(TarballSource.open("team", "https://example.invalid/r.tgz", { cache, policy: "never", ttlMs: 0 })).rejects.toMatchObject({ code: "E_OFFLINE" });
  });
});
