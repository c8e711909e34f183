import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { craftTar, type RawEntry } from "./crafted-tar.js";
import { agentText, git, REPO_ROOT, Sandbox, sha256, snapshot } from "./helpers.js";

// Issue #14, items 4-7: the git environment, lock paths, ownership of a parent's manifest, and
// credentials in registry URLs. Each is reproduced as the issue found it, through the built CLI.

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(() => sb.cleanup());

/** Every ref of a repository, with its object id. */
const refs = (dir: string) => git(dir, ["for-each-ref", "--format=%(objectname) %(refname)"]);

describe("git environment (#14.4): agentpkg's git never runs in the caller's repository", () => {
  /**
   * A user's repository with a linked worktree, and the variables git sets for a hook running in that
   * worktree (plus the index and object variables a hook or a wrapper can set).
   */
  function hookEnv(): { repo: string; env: Record<string, string> } {
    const repo = path.join(sb.root, "mine");
    fs.mkdirSync(repo);
    git(repo, ["init", "-q", "-b", "main"]);
    fs.writeFileSync(path.join(repo, "README.md"), "mine\n");
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "mine"]);
    const wt = path.join(sb.root, "mine-wt");
    git(repo, ["worktree", "add", "-q", "-b", "feature", wt]);
    const gitDir = path.join(repo, ".git", "worktrees", "mine-wt");
    return {
      repo,
      env: {
        GIT_DIR: gitDir,
        GIT_WORK_TREE: wt,
        GIT_INDEX_FILE: path.join(gitDir, "index"),
        GIT_COMMON_DIR: path.join(repo, ".git"),
        GIT_OBJECT_DIRECTORY: path.join(repo, ".git", "objects"),
        GIT_PREFIX: "",
      },
    };
  }

  it("a cold registry add, an install, an update and a publish leave the user's repository untouched", async () => {
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    const { repo, env } = hookEnv();
    const before = { refs: refs(repo), files: snapshot(repo), objects: git(repo, ["count-objects", "-v"]) };

    const add = await sb.run(["registry", "add", "team", reg.url], { env });
    expect(add.stderr).toBe("");
    expect(add.stdout).toMatch(/registry team -> .* \(registry, 1 agent\)/);
    const install = await sb.run(["install", "team/x"], { env });
    expect(install.code, install.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x"));

    // a fetch into the warm mirror, then a publish into the registry's own checkout
    reg.publish("x", [{ version: "1.1.0", content: agentText("x", { body: "You are x, 1.1.\n" }) }], { latest: "1.1.0" });
    const update = await sb.run(["upgrade", "--yes"], { env });
    expect(update.code, update.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toContain("You are x, 1.1.");
    fs.writeFileSync(path.join(sb.root, "y.md"), agentText("y"));
    const identity = { GIT_AUTHOR_NAME: "Me", GIT_AUTHOR_EMAIL: "me@example.com", GIT_COMMITTER_NAME: "Me", GIT_COMMITTER_EMAIL: "me@example.com" };
    const publish = await sb.run(["publish", path.join(sb.root, "y.md"), "--registry", reg.dir], { env: { ...env, ...identity } });
    expect(publish.code, publish.stderr).toBe(0);
    expect(git(reg.dir, ["log", "-1", "--format=%s"])).toBe("publish y@1.0.0");

    expect(refs(repo)).toBe(before.refs);
    expect(git(repo, ["count-objects", "-v"])).toBe(before.objects);
    expect(snapshot(repo)).toEqual(before.files);
  });
});

describe("lock paths (#14.5): a lockfile's path never leaves its registry", () => {
  const SECRET = agentText("x", { description: "a file outside every registry" });

  /** A valid agent file outside the registries (so its sha256 could match), and where a missing one would be. */
  function outsideFiles(): { file: string; absent: string } {
    const dir = path.join(sb.root, "outside");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "x.md"), SECRET);
    return { file: path.join(dir, "x.md"), absent: path.join(dir, "none.md") };
  }

  const lockWith = (entry: object) =>
    sb.write(".claude/agentpkg.lock", JSON.stringify({ lockfileVersion: 1, agents: { x: { version: "1.0.0", file: ".claude/agents/x.md", sha256: sha256(SECRET), ...entry } } }));

  /**
   * install, sync and verify with the crafted lock: refused with the lock's field named, nothing installed
   * or changed, and no word about the outside file (its hash, its size, whether it exists).
   */
  async function expectRefused(entryFor: (target: string) => object, o: { files: ReturnType<typeof outsideFiles>; wrongSha?: boolean }) {
    const outputs: string[] = [];
    for (const target of [o.files.file, o.files.absent]) {
      lockWith({ ...entryFor(target), ...(o.wrongSha ? { sha256: "0".repeat(64) } : {}) });
      const before = snapshot(sb.project);
      for (const args of [["install"], ["sync"], ["install", "--json"]]) {
        const r = await sb.run(args);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        const said = r.stdout + r.stderr;
        expect(said).toContain("agents.x.path must be a relative path inside the registry");
        expect(said).not.toContain(sha256(SECRET).slice(0, 12));
        expect(said).not.toMatch(/missing|regular file|bytes|sha256 mismatch|none\.md|outside/);
        outputs.push(said);
      }
      expect(snapshot(sb.project)).toEqual(before);
      expect(sb.exists(".claude/agents/x.md")).toBe(false);
    }
    // the same words whether the outside file exists or not
    expect(outputs.slice(0, 3)).toEqual(outputs.slice(3));
  }

  it("the bundled registry: a ../ path from the package root is refused", async () => {
    const files = outsideFiles();
    sb.write(".claude/agentpkg.json", JSON.stringify({ agents: { x: "^1.0.0" } }));
    await expectRefused((target) => ({ registry: "default", url: "builtin", commit: null, path: path.relative(REPO_ROOT, target) }), { files });
    await expectRefused((target) => ({ registry: "default", url: "builtin", commit: null, path: path.relative(REPO_ROOT, target) }), { files, wrongSha: true });
  });

  it("a tarball registry: a ../ path from the snapshot is refused, and so is a snapshot folder linked out", async () => {
    const files = outsideFiles();
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: SECRET }], { latest: "1.0.0" });
    const tgz = path.join(sb.root, "registry.tgz");
    expect((await sb.run(["registry", "pack", reg.dir, "-o", tgz])).code).toBe(0);
    expect((await sb.run(["registry", "add", "team", tgz])).code).toBe(0);
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    sb.write(".claude/agentpkg.json", JSON.stringify({ ...manifest, agents: { x: { registry: "team", version: "^1.0.0" } } }));
    const snap = path.join(sb.root, "cache", "agentpkg", "tarballs", sha256(fs.readFileSync(tgz)));
    expect(fs.existsSync(path.join(snap, "registry.json"))).toBe(true);
    const entry = (target: string) => ({ registry: "team", url: tgz, commit: sha256(fs.readFileSync(tgz)), path: path.relative(snap, target) });
    await expectRefused(entry, { files });
    await expectRefused(entry, { files, wrongSha: true });

    // the snapshot's agents/ replaced by a link to a folder holding the same bytes: never followed
    fs.rmSync(path.join(sb.project, ".claude", "agentpkg.lock"));
    fs.mkdirSync(path.join(files.file, "..", "x"));
    fs.writeFileSync(path.join(files.file, "..", "x", "1.0.0.md"), SECRET);
    fs.rmSync(path.join(snap, "agents"), { recursive: true });
    fs.symlinkSync(path.dirname(files.file), path.join(snap, "agents"));
    const r = await sb.run(["install"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("team: agents/x/1.0.0.md goes through a symlink (agents); symlinks are never followed");
    expect(sb.exists(".claude/agents/x.md")).toBe(false);
  });

  it("a git registry: a ../ path is refused before git is asked", async () => {
    const files = outsideFiles();
    const reg = sb.registry();
    const commit = reg.publish("x", [{ version: "1.0.0", content: SECRET }], { latest: "1.0.0" });
    sb.write(".claude/agentpkg.json", JSON.stringify({ registries: { team: reg.url }, agents: { x: { registry: "team", version: "^1.0.0" } } }));
    const mirrors = path.join(sb.root, "cache", "agentpkg", "git");
    await expectRefused((target) => ({ registry: "team", url: reg.url, commit, path: path.relative(reg.dir, target) }), { files });
    expect(fs.existsSync(mirrors)).toBe(false); // refused while reading the lock: nothing fetched
  });
});

// chown needs root; CI and the development machines run as root (`id -u` is 0), so this runs there.
// Elsewhere it is skipped: an unprivileged user cannot give a file to another uid. The rule itself is
// also unit-tested without root (src/project/scope.test.ts).
const AS_ROOT = process.geteuid?.() === 0;

describe.skipIf(!AS_ROOT)("ownership (#14.6): a parent folder's project owned by another user is refused", () => {
  const OTHER = 12345;
  function foreignParent(): { parent: string; child: string } {
    const parent = sb.project;
    sb.write(".claude/agentpkg.json", JSON.stringify({ agents: {} }));
    fs.chownSync(path.join(parent, ".claude"), OTHER, OTHER);
    fs.chownSync(path.join(parent, ".claude", "agentpkg.json"), OTHER, OTHER);
    const child = path.join(parent, "work");
    fs.mkdirSync(child);
    return { parent, child };
  }

  it("install and list from a subfolder are refused, naming the file, its owner and the way out; nothing is written", async () => {
    const { parent, child } = foreignParent();
    const before = sb.snapshotRoot();
    for (const args of [["install", "ml-engineer"], ["list"]]) {
      const r = await sb.run(args, { cwd: child });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`error ${path.join(parent, ".claude")} in a parent folder is owned by another user (uid ${OTHER}; you are uid 0): agentpkg does not use a project someone else controls`);
      expect(r.stderr).toContain(`hint: if you trust it, run agentpkg in ${parent} (cd there, or agentpkg -C ${parent} ...); for a project of your own here, run agentpkg init`);
    }
    expect(sb.snapshotRoot()).toEqual(before);
  });

  it("the same project in the working folder, by -C, or as the sudo user is used", async () => {
    const { parent, child } = foreignParent();
    expect((await sb.run(["list"], { cwd: parent })).code).toBe(0);
    expect((await sb.run(["-C", parent, "list"], { cwd: child })).code).toBe(0);
    expect((await sb.run(["list"], { cwd: child, env: { SUDO_UID: String(OTHER) } })).code).toBe(0);
  });

  it("init in the subfolder starts the user's own project there", async () => {
    const { child } = foreignParent();
    const init = await sb.run(["init"], { cwd: child });
    expect(init.code, init.stderr).toBe(0);
    const install = await sb.run(["install", "ml-engineer"], { cwd: child });
    expect(install.code, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(child, ".claude", "agents", "ml-engineer.md"))).toBe(true);
  });
});

describe("credentials in urls (#14.7): never stored, never printed", () => {
  const TOKEN = "ghs_S3cretT0ken";
  const SECRET_URL = `https://deploy:${TOKEN}@git.example.invalid/acme/agents.git`;
  const HINT = "hint: remove it from the url and let git supply it: a credential helper (git config --global credential.helper ...), or url.<base>.insteadOf in your own git config";

  /** Every file or folder under the cache whose name or content mentions the credentials. */
  function cacheLeaks(): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const abs = path.join(d, e.name);
        if (abs.includes(TOKEN) || abs.includes("deploy")) out.push(abs);
        if (e.isDirectory()) walk(abs);
        else if (e.isFile() && fs.readFileSync(abs).includes(TOKEN)) out.push(abs);
      }
    };
    const cache = path.join(sb.root, "cache");
    if (fs.existsSync(cache)) walk(cache);
    return out;
  }

  it("registry add and init --registry refuse such a url (exit 2), write nothing and do not echo it", async () => {
    const before = sb.snapshotRoot();
    for (const args of [["registry", "add", "team", SECRET_URL], ["init", "--registry", `team=${SECRET_URL}`], ["registry", "add", "team", "deploy:" + TOKEN + "@git.example.invalid:acme/agents.git"]]) {
      for (const json of [false, true]) {
        const r = await sb.run(json ? [...args, "--json"] : args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stdout + r.stderr).not.toContain(TOKEN);
        if (json) expect(JSON.parse(r.stdout).error.message).toMatch(/^invalid registry url ".*\*\*\*@git\.example\.invalid.*": it contains a password or token, which agentpkg never stores or prints$/);
        else expect(r.stderr.split("\n")).toContain(HINT);
      }
    }
    expect(sb.snapshotRoot()).toEqual(before);
  });

  it("a hand-edited manifest with a token is refused naming the field, the token nowhere in the output", async () => {
    sb.write(".claude/agentpkg.json", JSON.stringify({ registries: { team: SECRET_URL }, agents: { x: { registry: "team", version: "^1.0.0" } } }));
    const before = sb.snapshotRoot();
    for (const args of [["install"], ["install", "team/x"], ["list"], ["registry", "list"], ["registry", "remove", "team"], ["verify"], ["sync"], ["outdated"], ["search", "x"], ["pack"], ["install", "--verbose"], ["list", "--json"]]) {
      const r = await sb.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      const message = args.includes("--json") ? JSON.parse(r.stdout).error.message : r.stderr;
      expect(message).toContain(`.claude/agentpkg.json: registries.team: invalid registry url "https://***@git.example.invalid/acme/agents.git": it contains a password or token`);
    }
    expect(sb.snapshotRoot()).toEqual(before);
  });

  it("a lockfile or a bundle carrying one is refused the same way", async () => {
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    expect((await sb.run(["install", "team/x"])).code).toBe(0);
    expect((await sb.run(["pack", "-o", path.join(sb.root, "ok.tgz")])).code).toBe(0);

    // the same bundle with the registry's url swapped for one with a token (lock, index and manifest alike)
    const dir = path.join(sb.root, "unpacked");
    fs.mkdirSync(dir);
    execFileSync("tar", ["-xzf", path.join(sb.root, "ok.tgz"), "-C", dir]);
    const entries: RawEntry[] = [];
    for (const rel of ["agentpkg.json", "agentpkg.lock", "index.json"]) entries.push({ path: rel, data: fs.readFileSync(path.join(dir, rel), "utf8").split(reg.url).join(SECRET_URL) });
    for (const f of fs.readdirSync(path.join(dir, "content"))) entries.push({ path: `content/${f}`, data: fs.readFileSync(path.join(dir, "content", f)) });
    fs.writeFileSync(path.join(sb.root, "evil.tgz"), craftTar(entries));
    fs.rmSync(dir, { recursive: true });

    const fresh = path.join(sb.root, "fresh");
    fs.mkdirSync(fresh);
    const fromBundle = await sb.run(["install", "--from", path.join(sb.root, "evil.tgz")], { cwd: fresh });
    expect(fromBundle.code, fromBundle.stderr).toBe(1);
    expect(fromBundle.stderr).toContain(`evil.tgz: agentpkg.lock: agents.x.url: invalid registry url "https://***@git.example.invalid/acme/agents.git": it contains a password or token`);
    expect(fs.readdirSync(fresh)).toEqual([]);

    const lock = sb.file(".claude/agentpkg.lock");
    sb.write(".claude/agentpkg.lock", lock.split(reg.url).join(SECRET_URL));
    const r = await sb.run(["install"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`.claude/agentpkg.lock: agents.x.url: invalid registry url "https://***@git.example.invalid/acme/agents.git": it contains a password or token`);
    expect(r.stdout + r.stderr + fromBundle.stdout + fromBundle.stderr).not.toContain(TOKEN);
    expect(cacheLeaks()).toEqual([]);
  });
});
