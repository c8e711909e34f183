import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { BIN, Sandbox } from "./helpers.js";

// dist/code-cache-launcher.cjs (src/code-cache-launcher.ts) runs the bundle through a V8 code cache, which only
// ever speeds a run up, or under --verbose with source maps (docs/architecture.md, "Start-up").
let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

const cacheFiles = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".bin")) : []);

beforeEach(() => {
  sb = new Sandbox();
  delete sb.env.AGENTPKG_CODE_CACHE; // the sandbox's own cache folder: these tests set theirs
  dir = path.join(sb.root, "code-cache");
  env = { AGENTPKG_CODE_CACHE: dir };
});
afterEach(() => fs.rmSync(sb.root, { recursive: true, force: true }));

describe("the code cache", () => {
  it("is written by a command's first run into a private folder, then used as it is", async () => {
    const first = await sb.run(["list"], { env });
    expect(first.code, first.stderr).toBe(0);
    const [file] = cacheFiles();
    expect(file).toMatch(/-v\d+\.\d+\.\d+-\w+-list\.bin$/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const before = fs.statSync(path.join(dir, file!));
    const second = await sb.run(["list"], { env });
    expect(second).toEqual(first);
    expect(cacheFiles()).toEqual([file]);
    expect(fs.statSync(path.join(dir, file!)).mtimeMs).toBe(before.mtimeMs);
  });

  it("keeps one cache per command, and replaces a corrupt one, the command working all the same", async () => {
    expect((await sb.run(["install", "debugger"], { env })).code).toBe(0);
    const [file] = cacheFiles();
    expect(file).toMatch(/-install\.bin$/);
    fs.writeFileSync(path.join(dir, file!), "not a V8 code cache");
    const r = await sb.run(["install", "test-writer"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(sb.exists(".claude/agents/test-writer.md")).toBe(true);
    expect(fs.readFileSync(path.join(dir, file!)).length).toBeGreaterThan(1000);
    expect((await sb.run(["list"], { env })).code).toBe(0);
    expect(cacheFiles().map((f) => f.split("-").pop()).sort()).toEqual(["install.bin", "list.bin"]);
  });

  it("is never read from or written to a folder others can write to", async () => {
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    const r = await sb.run(["list"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(cacheFiles()).toEqual([]);
  });

  it("reads a bundle that is not ASCII as UTF-8 (an ASCII one is read as latin1)", () => {
    const dist = path.join(path.dirname(BIN), "..", "dist");
    const copy = path.join(sb.root, "dist-copy");
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(dist, "code-cache-launcher.cjs"), path.join(copy, "code-cache-launcher.cjs"));
    const bundle = fs.readFileSync(path.join(dist, "agentpkg.cjs"), "utf8");
    expect(/[^\x00-\x7f]/.test(bundle)).toBe(false); // esbuild escapes non-ASCII, but not in regular expressions
    fs.writeFileSync(path.join(copy, "agentpkg.cjs"), `${bundle}\nrequire("node:fs").writeSync(2, "«é»\\n");\n`);
    const r = spawnSync(process.execPath, [path.join(copy, "code-cache-launcher.cjs"), "--help"], { env: { ...sb.env, ...env }, encoding: "utf8" });
    expect([r.status, r.stdout.includes("Usage"), r.stderr]).toEqual([0, true, "«é»\n"]);
  });

  it("is off with AGENTPKG_CODE_CACHE=0, and --version never reads the bundle", async () => {
    const off = await sb.run(["list"], { env: { AGENTPKG_CODE_CACHE: "0", TMPDIR: sb.root } });
    expect(off.code, off.stderr).toBe(0);
    expect(fs.readdirSync(sb.root).filter((f) => f.startsWith("agentpkg-code-cache"))).toEqual([]);
    const version = await sb.run(["--version"], { env });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("defaults to a per-user folder of the temp dir, leaving HOME and the cache dir alone", async () => {
    const r = await sb.run(["search", "nothing-matches-this"], { env: { TMPDIR: sb.root } });
    expect(r.code).not.toBe(-1);
    const made = fs.readdirSync(sb.root).filter((f) => f.startsWith("agentpkg-code-cache-"));
    expect(made).toHaveLength(1);
    expect(fs.readdirSync(path.join(sb.root, made[0]!)).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    expect(fs.existsSync(path.join(sb.root, "cache", "agentpkg", "code-cache"))).toBe(false);
  });
});

describe("output", () => {
  it("goes straight to the file descriptors, and a reader that went away ends it quietly (exit 0)", () => {
    const env = { ...sb.env, AGENTPKG_CODE_CACHE: "0" };
    const full = execFileSync("sh", ["-c", `node "${BIN}" search e`], { cwd: sb.project, env, encoding: "utf8" });
    expect(full.split("\n").length).toBeGreaterThan(3);
    for (let i = 0; i < 5; i++) {
      // `true` exits without reading: writes meet EPIPE, or the pipe's buffer, depending on timing
      const r = execFileSync("sh", ["-c", `node "${BIN}" search agent | true; echo "exit $?"`], { cwd: sb.project, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(r.trim()).toBe("exit 0");
    }
    expect(execFileSync("sh", ["-c", `node "${BIN}" --version | cat`], { env, encoding: "utf8" }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("stack traces", () => {
  // An error without a test hook: a cache folder whose name is longer than a file system allows
  // (ENAMETOOLONG when the content store is first written), thrown from deep inside the install pipeline.
  const failingInstall = (args: string[], more: Record<string, string> = {}) =>
    sb.run(["install", "debugger", ...args], { env: { ...env, XDG_CACHE_HOME: path.join(sb.root, "c".repeat(300)), ...more } });
  const frames = (stderr: string) => stderr.split("\n").filter((l) => /^\s+at .*:\d+:\d+\)?$/.test(l) && !l.includes("(node:"));

  it("name src/*.ts lines under --verbose and DEBUG=agentpkg (source maps, no code cache), and are not shown otherwise", async () => {
    expect((await sb.run(["init"], { env })).code).toBe(0);
    for (const r of [await failingInstall(["--verbose"]), await failingInstall([], { DEBUG: "other,agentpkg" })]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/ENAMETOOLONG/);
      expect(frames(r.stderr).filter((l) => /[/\\]src[/\\][\w/\\.-]+\.ts:\d+:\d+\)?$/.test(l)).length, r.stderr).toBeGreaterThan(2);
      expect(frames(r.stderr).filter((l) => l.includes("agentpkg.cjs")), r.stderr).toEqual([]);
    }
    expect(cacheFiles().filter((f) => f.endsWith("-install.bin"))).toEqual([]);
    const quiet = await failingInstall([]);
    expect(quiet.code).toBe(1);
    expect(frames(quiet.stderr)).toEqual([]);
    expect(quiet.stderr).toMatch(/file name too long \(ENAMETOOLONG\)/);
    expect(cacheFiles().filter((f) => f.endsWith("-install.bin"))).toHaveLength(1);
  });
});
