import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { execa, execaSync } from "execa";
import fse from "fs-extra";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built CLI; AGENTPKG_TEST_BIN points at another build (e.g. .build/<name>/code-cache-launcher.cjs) when set. */
export const BIN = process.env.AGENTPKG_TEST_BIN ? path.resolve(REPO_ROOT, process.env.AGENTPKG_TEST_BIN) : path.join(REPO_ROOT, "bin", "agentpkg.js");

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = "agentpkg-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function git(cwd: string, args: string[]): string {
  return execaSync("git", args, { cwd, env: GIT_ENV }).stdout;
}

/** A valid agent file for tests. */
export function agentText(name: string, o: { description?: string; tools?: string; body?: string; extra?: string } = {}): string {
  return [
    "---",
    `name: ${name}`,
    `description: ${o.description ?? `Test agent ${name}`}`,
    ...(o.tools !== undefined ? [`tools: ${o.tools}`] : ["tools: Read, Grep"]),
    ...(o.extra ? [o.extra] : []),
    "---",
    "",
    o.body ?? `You are ${name}.\n\nLine one.\nLine two.\nLine three.\nLine four.\nLine five.\n`,
  ].join("\n");
}

export interface PublishedVersion {
  version: string;
  content: string;
  yanked?: string;
  changelog?: string;
  /** write a wrong sha256 into registry.json */
  badSha?: boolean;
}

/**
 * A temp git registry in the DESIGN.md §3 format. `publish` adds versions and commits, as a maintainer would.
 * Returns the registry's working dir (also its git url: a local path).
 */
export class TestRegistry {
  readonly dir: string;
  private index: { name: string; agents: Record<string, { description: string; versions: Record<string, unknown>; tags: Record<string, string> }> };

  constructor(root: string, name = "test-registry") {
    this.dir = path.join(root, name);
    fs.mkdirSync(this.dir, { recursive: true });
    git(this.dir, ["init", "-q", "-b", "main"]);
    this.index = { name, agents: Object.create(null) }; // agents named constructor or __proto__ are agents too
  }

  get url(): string {
    return `file://${this.dir}`;
  }

  publish(agent: string, versions: PublishedVersion[], o: { latest?: string; description?: string; deprecated?: string } = {}): string {
    const entry = (this.index.agents[agent] ??= { description: `${agent} agent`, versions: {}, tags: {} });
    if (o.description !== undefined) entry.description = o.description;
    if (o.deprecated !== undefined) (entry as { deprecated?: string }).deprecated = o.deprecated;
    for (const v of versions) {
      const rel = `agents/${agent}/${v.version}.md`;
      fs.mkdirSync(path.join(this.dir, "agents", agent), { recursive: true });
      fs.writeFileSync(path.join(this.dir, rel), v.content);
      entry.versions[v.version] = {
        path: rel,
        sha256: v.badSha ? sha256("tampered") : sha256(v.content),
        ...(v.yanked ? { yanked: v.yanked } : {}),
        ...(v.changelog ? { changelog: v.changelog } : {}),
      };
    }
    if (o.latest) entry.tags.latest = o.latest;
    return this.commit(`publish ${agent}`);
  }

  commit(message: string): string {
    fs.writeFileSync(path.join(this.dir, "registry.json"), JSON.stringify(this.index, null, 2) + "\n");
    git(this.dir, ["add", "-A"]);
    git(this.dir, ["commit", "-q", "-m", message]);
    return git(this.dir, ["rev-parse", "HEAD"]).trim();
  }

  /**
   * A force-push that rewrites history: the current files become one new root commit on main, and every
   * earlier commit is gone for good (reflog expired, pruned), as on a server after the push.
   */
  squashHistory(message = "rewritten history"): string {
    git(this.dir, ["checkout", "-q", "--orphan", "rewritten"]);
    git(this.dir, ["commit", "-q", "-m", message]);
    git(this.dir, ["branch", "-q", "-M", "main"]);
    git(this.dir, ["tag", "-l"]).split("\n").filter(Boolean).forEach((t) => git(this.dir, ["tag", "-d", t]));
    git(this.dir, ["reflog", "expire", "--expire=now", "--all"]);
    git(this.dir, ["gc", "-q", "--prune=now"]);
    return git(this.dir, ["rev-parse", "HEAD"]).trim();
  }

  /** Overwrite a published file in place (tampering) and commit it. */
  tamper(rel: string, content: string): void {
    fs.writeFileSync(path.join(this.dir, rel), content);
    git(this.dir, ["add", "-A"]);
    git(this.dir, ["commit", "-q", "-m", "tamper"]);
  }
}

/** The sandbox's V8 code cache folder, under its root. */
/** One private V8 code cache for the whole test run, so each command's cache is built once, not once per sandbox. */
const SHARED_CODE_CACHE = path.join(os.tmpdir(), `agentpkg-test-code-cache-${process.getuid?.() ?? "user"}`);

/** A sandbox: temp HOME, cache and project dir; runs the built CLI as a subprocess. */
export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly env: Record<string, string>;

  constructor() {
    this.root = tempDir();
    this.home = path.join(this.root, "home");
    this.project = path.join(this.root, "project");
    fs.mkdirSync(this.home, { recursive: true });
    fs.mkdirSync(this.project, { recursive: true });
    this.env = {
      HOME: this.home,
      XDG_CACHE_HOME: path.join(this.root, "cache"),
      XDG_CONFIG_HOME: path.join(this.root, "config"),
      NO_COLOR: "1",
      CI: "",
      GIT_CONFIG_NOSYSTEM: "1",
      AGENTPKG_REGISTRY_TTL: "0",
      // a test-only code cache: tests never write into the user's own $TMPDIR cache
      // (launcher.e2e.test.ts, which tests that cache, removes this and sets its own)
      AGENTPKG_CODE_CACHE: SHARED_CODE_CACHE,
      PATH: process.env.PATH ?? "",
    };
  }

  registry(name?: string): TestRegistry {
    return new TestRegistry(this.root, name);
  }

  /** `timeout` (ms) kills a run that hangs (code -1), for tests of what used to hang or read forever. */
  async run(args: string[], o: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}) {
    const r = await execa("node", [BIN, ...args], {
      cwd: o.cwd ?? this.project,
      env: { ...this.env, ...o.env },
      ...(o.timeout ? { timeout: o.timeout } : {}),
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    });
    return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  async json(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) {
    const r = await this.run([...args, "--json"], o);
    let data: any;
    try {
      data = JSON.parse(r.stdout);
    } catch {
      throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
    return { ...r, data };
  }

  /** snapshot() of the whole sandbox (home, caches, project): "nothing else changed" checks over the root. */
  snapshotRoot(): Record<string, string> {
    return snapshot(this.root);
  }

  file(rel: string, dir = this.project): string {
    return fs.readFileSync(path.join(dir, rel), "utf8");
  }

  exists(rel: string, dir = this.project): boolean {
    return fs.existsSync(path.join(dir, rel));
  }

  write(rel: string, content: string, dir = this.project): void {
    fse.outputFileSync(path.join(dir, rel), content);
  }

  /** Files made immutable (`chattr +i`: even root cannot replace or delete them), cleared again by cleanup. */
  private readonly frozen = new Set<string>();

  /** `chattr +i` on a file or folder of the project: a write that fails whoever runs it. */
  immutable(rel: string, dir = this.project): void {
    const file = path.join(dir, rel);
    execaSync("chattr", ["+i", file]);
    this.frozen.add(file);
  }

  mutable(rel: string, dir = this.project): void {
    const file = path.join(dir, rel);
    execaSync("chattr", ["-i", file]);
    this.frozen.delete(file);
  }

  private readonly mounts: string[] = [];

  /** A small tmpfs at `rel` (under the sandbox root): a disk that fills up. Unmounted by cleanup. */
  smallDisk(rel: string, bytes: number): string {
    const dir = path.join(this.root, rel);
    fs.mkdirSync(dir, { recursive: true });
    execaSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
    this.mounts.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const file of this.frozen) execaSync("chattr", ["-i", file], { reject: false });
    for (const dir of this.mounts.reverse()) execaSync("umount", ["-l", dir], { reject: false });
    fse.removeSync(this.root);
  }
}

/**
 * A registry in one commit: `agents[name][version]` is the file's content (TestRegistry.publish would make
 * one commit per agent). Returns its folder (a local path, which is also its url).
 */
export function writeRegistry(dir: string, agents: Record<string, Record<string, string>>): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  const index: Record<string, unknown> = {};
  for (const [name, versions] of Object.entries(agents)) {
    const entry: Record<string, unknown> = {};
    for (const [v, text] of Object.entries(versions)) {
      fs.mkdirSync(path.join(dir, "agents", name), { recursive: true });
      fs.writeFileSync(path.join(dir, "agents", name, `${v}.md`), text);
      entry[v] = { path: `agents/${name}/${v}.md`, sha256: sha256(text) };
    }
    index[name] = { description: `${name} agent`, versions: entry, tags: {} };
  }
  fs.writeFileSync(path.join(dir, "registry.json"), JSON.stringify({ name: path.basename(dir), agents: index }, null, 2));
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "publish"]);
  return dir;
}

/** Hash of every file under dir (relative path -> sha256; symlinks by target, never followed): "nothing changed on disk" checks. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isSymbolicLink()) out[path.relative(dir, abs)] = `symlink -> ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) {
        out[path.relative(dir, abs) + "/"] = "dir";
        walk(abs);
      } else out[path.relative(dir, abs)] = e.isFile() ? sha256(fs.readFileSync(abs)) : "special file"; // never read a pipe
    }
  };
  walk(dir);
  return out;
}

/** Copy a folder tree (e.g. a registry checkout, to break it without touching the original). */
export function copyTree(from: string, to: string): void {
  fse.copySync(from, to);
}

/** A temp git repository written file by file, committed and tagged as its maintainers would. */
export class GitRepo {
  readonly dir: string;
  constructor(root: string, name: string) {
    this.dir = path.join(root, name);
    fs.mkdirSync(this.dir, { recursive: true });
    git(this.dir, ["init", "-q", "-b", "main"]);
  }
  get url(): string {
    return `file://${this.dir}`;
  }
  /** Write a file (an object as pretty JSON); `executable` sets mode 755, which git records. */
  write(rel: string, content: string | object, o: { executable?: boolean } = {}): this {
    const abs = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, typeof content === "string" ? content : JSON.stringify(content, null, 2) + "\n");
    if (o.executable) fs.chmodSync(abs, 0o755);
    return this;
  }
  remove(rel: string): this {
    fs.rmSync(path.join(this.dir, rel), { recursive: true, force: true });
    return this;
  }
  commit(message: string): string {
    git(this.dir, ["add", "-A"]);
    git(this.dir, ["commit", "-q", "-m", message]);
    return git(this.dir, ["rev-parse", "HEAD"]).trim();
  }
  tag(name: string): void {
    git(this.dir, ["tag", name]);
  }
}
