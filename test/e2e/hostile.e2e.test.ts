import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentText, copyTree, git, REPO_ROOT, Sandbox, sha256, snapshot, tempDir } from "./helpers.js";

// Hostile and broken input, tried as an attacker (or an unlucky user) would: each is refused with a
// documented exit code and a one-line message, no stack trace, the project folder byte-identical,
// nothing written anywhere outside the cache, and no command run (the marker file never appears).
const MARK = path.join(os.tmpdir(), `agentpkg-pwned-${process.pid}-${Date.now()}`);
const X = agentText("x");
const ZERO = "0".repeat(64);
const ML = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "registry.json"), "utf8")).agents["ml-engineer"].versions["1.0.0"];

let sb: Sandbox;
let regRoot: string;
const regs: Record<string, string> = {};
let outside: string;
let readOnly = false;

type Files = Record<string, string | Buffer | { symlink: string } | { gitlink: string }>;

/** A registry repo holding exactly these files (registry.json included, or not), one commit. */
function repo(name: string, files: Files): string {
  const dir = path.join(regRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  const gitlinks: string[] = [];
  for (const [rel, data] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof data === "object" && "symlink" in data) fs.symlinkSync(data.symlink, abs);
    else if (typeof data === "object" && "gitlink" in data) gitlinks.push(`160000,${data.gitlink},${rel}`);
    else fs.writeFileSync(abs, data);
  }
  git(dir, ["add", "-A"]);
  for (const info of gitlinks) git(dir, ["update-index", "--add", "--cacheinfo", info]);
  git(dir, ["commit", "-q", "-m", "init", "--allow-empty"]);
  return dir;
}

/** registry.json with one agent `name` whose 1.0.0 lives at `p` with hash `sha`. */
function index(name: string, p = `agents/${name}/1.0.0.md`, sha = sha256(X)): string {
  return JSON.stringify({ name: "evil", agents: { [name]: { versions: { "1.0.0": { path: p, sha256: sha } } } } });
}

const write = (rel: string, data: string) => {
  const abs = path.join(sb.project, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, data);
};
const manifest = (m: object) => write(".claude/agentpkg.json", JSON.stringify(m));
const withRegistry = (reg: string, agents: object = {}) => manifest({ registries: { evil: regs[reg] }, agents });
const entry = (o: object = {}) => ({ version: "1.0.0", registry: "default", url: "builtin", commit: null, path: ML.path, sha256: ML.sha256, file: ".claude/agents/ml-engineer.md", ...o });
const lock = (agents: object, extra: object = {}) => write(".claude/agentpkg.lock", JSON.stringify({ lockfileVersion: 1, agents, ...extra }));
const installed = () => {
  manifest({ agents: { "ml-engineer": "^1.0.0" } });
  lock({ "ml-engineer": entry() });
};
const CONFLICT = '{\n<<<<<<< HEAD\n  "agents": {}\n=======\n  "agents": { "x": "^1" }\n>>>>>>> theirs\n}\n';

/** Make a folder unwritable even for root (chattr +i); false when this system cannot. */
function immutable(dir: string, on: boolean): boolean {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, on ? 0o555 : 0o755);
    return true;
  }
  try {
    execaSync("chattr", [on ? "+i" : "-i", dir]);
    return true;
  } catch {
    return false;
  }
}

/** What a write into a folder `immutable` made read-only fails with: EPERM under chattr (root), else EACCES. */
const READ_ONLY_WHY = () => (process.getuid?.() === 0 ? "operation not permitted" : "permission denied");

interface Case {
  name: string;
  setup?: () => void | Promise<void>;
  args: string[];
  code: number;
  /** a function when the message depends on what this system allows (read-only folders as root) */
  message: string | (() => string);
  teardown?: () => void;
}

const cases: Case[] = [
  // agent names and specs on the command line
  { name: "spec with ../", args: ["install", "../evil"], code: 2, message: "invalid agent spec" },
  { name: "spec with too many /", args: ["install", "a/b/c"], code: 2, message: "too many '/'" },
  { name: "spec with a backslash", args: ["install", "..\\evil"], code: 2, message: "invalid agent spec" },
  { name: "spec that is an absolute path", args: ["install", "/etc/passwd"], code: 2, message: "invalid agent spec" },
  { name: "spec ending in .md", args: ["install", "x.md"], code: 2, message: "invalid agent spec" },
  { name: "spec that looks like a flag", args: ["install", "--", "-rf"], code: 2, message: "invalid agent spec" },
  { name: "invalid range", args: ["install", "ml-engineer@>>1"], code: 2, message: "is not a version range" },
  { name: "range nothing satisfies", args: ["install", "ml-engineer@^99"], code: 5, message: "no version of ml-engineer" },
  { name: "unknown agent", args: ["install", "no-such-agent"], code: 5, message: 'agent "no-such-agent" not found' },
  { name: "remove in a project without .claude", args: ["remove", "x"], code: 5, message: "x is not installed" },
  { name: "upgrade in a project without .claude", args: ["upgrade", "x"], code: 5, message: "x is not in .claude/agentpkg.json" },
  // registry urls
  { name: "ext:: url", args: ["registry", "add", "evil", `ext::sh -c touch% ${MARK}`], code: 2, message: "transport helpers" },
  { name: "fd:: url", args: ["registry", "add", "evil", "fd::3"], code: 2, message: "transport helpers" },
  { name: "--upload-pack= url", args: ["registry", "add", "evil", "--", `--upload-pack=touch ${MARK}`], code: 2, message: "must not start with '-'" },
  { name: "-oProxyCommand url", args: ["registry", "add", "evil", "--", `-oProxyCommand=touch ${MARK}`], code: 2, message: "must not start with '-'" },
  { name: "ssh url with an option as host", args: ["registry", "add", "evil", `ssh://-oProxyCommand=touch%20${MARK}/x`], code: 2, message: "the host must not start with '-'" },
  { name: "scp url with an option as host", args: ["registry", "add", "evil", `git@-oProxyCommand=touch ${MARK}:x`], code: 2, message: "invalid registry url" },
  { name: "http url", args: ["registry", "add", "evil", "http://example.com/agents.git"], code: 2, message: "scheme http:// is not allowed" },
  { name: "registry name with ../", args: ["registry", "add", "../evil", "/tmp"], code: 2, message: "invalid registry name" },
  // usage
  { name: "unknown command", args: ["frobnicate"], code: 2, message: "unknown command" },
  { name: "unknown flag", args: ["install", "--frobnicate"], code: 2, message: "unknown option" },
  { name: "missing argument", args: ["registry", "add", "evil"], code: 2, message: "missing required argument" },
  { name: "conflicting flags", args: ["install", "ml-engineer", "--keep", "--force"], code: 2, message: "cannot be combined" },
  // the project's own files
  { name: "conflict markers in the manifest", setup: () => write(".claude/agentpkg.json", CONFLICT), args: ["install"], code: 1, message: "agentpkg.json:2: contains git conflict markers" },
  { name: "conflict markers in the lockfile", setup: () => write(".claude/agentpkg.lock", CONFLICT), args: ["install", "ml-engineer"], code: 1, message: "agentpkg.lock:2: contains git conflict markers" },
  { name: "manifest not JSON", setup: () => write(".claude/agentpkg.json", "{ agents: "), args: ["install"], code: 1, message: "agentpkg.json:1: invalid JSON" },
  { name: "lockfile not JSON", setup: () => write(".claude/agentpkg.lock", "[1,"), args: ["list"], code: 1, message: "agentpkg.lock: invalid JSON" },
  { name: "wrong lockfileVersion", setup: () => lock({}, { lockfileVersion: 3 }), args: ["install", "ml-engineer"], code: 1, message: "lockfileVersion 3 is not supported" },
  { name: "unknown field in the lockfile", setup: () => lock({}, { extra: true }), args: ["install"], code: 1, message: 'unknown field "extra"' },
  { name: "unknown field in a lock entry", setup: () => lock({ "ml-engineer": entry({ run: "rm -rf /" }) }), args: ["install"], code: 1, message: 'unknown field "run"' },
  { name: "unknown field in the manifest", setup: () => manifest({ agents: {}, scripts: { postinstall: `touch ${MARK}` } }), args: ["install"], code: 1, message: 'unknown field "scripts"' },
  { name: "lock file outside .claude/agents", setup: () => lock({ "ml-engineer": entry({ file: "../../outside.md" }) }), args: ["install"], code: 1, message: "must be a .md file inside .claude/agents/" },
  { name: "lock file absolute", setup: () => lock({ "ml-engineer": entry({ file: "/etc/evil.md" }) }), args: ["install"], code: 1, message: "must be a .md file inside .claude/agents/" },
  { name: "lock file with ..", setup: () => lock({ "ml-engineer": entry({ file: ".claude/agents/../../x.md" }) }), args: ["install"], code: 1, message: "must be a .md file inside .claude/agents/" },
  { name: "lock file not an agent file", setup: () => lock({ "ml-engineer": entry({ file: ".claude/agents/x.sh" }) }), args: ["remove", "ml-engineer"], code: 1, message: "must be a .md file inside .claude/agents/" },
  { name: "lock agent name with ../", setup: () => lock({ "../evil": entry() }), args: ["install"], code: 1, message: "invalid agent name" },
  { name: "lock sha256 not a digest", setup: () => lock({ "ml-engineer": entry({ sha256: "abc" }) }), args: ["install"], code: 1, message: "is not a sha256 hex digest" },
  { name: "manifest agent name with ../", setup: () => manifest({ agents: { "../evil": "^1" } }), args: ["install"], code: 1, message: "invalid agent name" },
  { name: "manifest agent name with NUL", setup: () => manifest({ agents: { "a\u0000b": "^1" } }), args: ["install"], code: 1, message: "invalid agent name" },
  { name: "manifest agent name with a backslash", setup: () => manifest({ agents: { "a\\b": "^1" } }), args: ["install"], code: 1, message: "invalid agent name" },
  { name: "manifest registry ext:: url", setup: () => manifest({ registries: { evil: `ext::sh -c touch% ${MARK}` } }), args: ["install"], code: 1, message: "transport helpers" },
  { name: "manifest invalid range", setup: () => manifest({ agents: { "ml-engineer": ">>1" } }), args: ["install"], code: 1, message: 'invalid version range ">>1"' },
  // the folders
  { name: ".claude/agents is a file", setup: () => write(".claude/agents", "not a folder"), args: ["install", "ml-engineer"], code: 1, message: ".claude/agents is a file, not a folder" },
  { name: ".claude is a file", setup: () => write(".claude", "not a folder"), args: ["install", "ml-engineer"], code: 1, message: ".claude is a file, not a folder" },
  {
    name: "an agent's file is a folder",
    setup: () => {
      installed();
      fs.mkdirSync(path.join(sb.project, ".claude/agents/ml-engineer.md"), { recursive: true });
    },
    args: ["install"],
    code: 1,
    message: ".claude/agents/ml-engineer.md is a folder, not an agent file",
  },
  {
    name: "an agent's file is a symlink to /dev/zero",
    setup: () => {
      installed();
      fs.mkdirSync(path.join(sb.project, ".claude/agents"));
      fs.symlinkSync("/dev/zero", path.join(sb.project, ".claude/agents/ml-engineer.md"));
    },
    args: ["upgrade"],
    code: 1,
    message: "is not a regular file",
  },
  {
    name: "an agent's file is a named pipe",
    setup: () => {
      installed();
      fs.mkdirSync(path.join(sb.project, ".claude/agents"));
      execaSync("mkfifo", [path.join(sb.project, ".claude/agents/ml-engineer.md")]);
    },
    args: ["remove", "ml-engineer"],
    code: 1,
    message: "is not a regular file",
  },
  {
    name: "read-only .claude",
    setup: () => {
      fs.mkdirSync(path.join(sb.project, ".claude"));
      readOnly = immutable(path.join(sb.project, ".claude"), true);
      if (!readOnly) fs.rmSync(path.join(sb.project, ".claude"), { recursive: true });
      if (!readOnly) write(".claude", "a file where the folder should be");
    },
    teardown: () => void immutable(path.join(sb.project, ".claude"), false),
    args: ["install", "ml-engineer"],
    code: 1,
    message: () => (readOnly ? `cannot write in .claude: ${READ_ONLY_WHY()}` : ".claude is a file, not a folder"),
  },
  {
    name: "read-only .claude/agents",
    setup: () => {
      installed();
      fs.mkdirSync(path.join(sb.project, ".claude/agents"));
      readOnly = immutable(path.join(sb.project, ".claude/agents"), true);
      if (!readOnly) write(".claude/agents/ml-engineer.md/x", "a folder in the way");
    },
    teardown: () => void immutable(path.join(sb.project, ".claude/agents"), false),
    args: ["install"],
    code: 1,
    message: () => (readOnly ? `cannot write in .claude/agents: ${READ_ONLY_WHY()}` : "is a folder, not an agent file"),
  },
  {
    name: ".claude/agents symlinked out of the project",
    setup: () => {
      fs.mkdirSync(path.join(sb.project, ".claude"));
      fs.symlinkSync(outside, path.join(sb.project, ".claude/agents"));
    },
    args: ["install", "ml-engineer"],
    code: 1,
    message: ".claude/agents leads outside the project",
  },
  { name: ".claude symlinked out of the project", setup: () => fs.symlinkSync(outside, path.join(sb.project, ".claude")), args: ["install", "ml-engineer"], code: 1, message: ".claude leads outside the project" },
  {
    name: "lock file in a symlinked subfolder",
    setup: () => {
      manifest({ agents: { "ml-engineer": "^1.0.0" } });
      lock({ "ml-engineer": entry({ file: ".claude/agents/sub/ml-engineer.md" }) });
      fs.mkdirSync(path.join(sb.project, ".claude/agents"));
      fs.symlinkSync(outside, path.join(sb.project, ".claude/agents/sub"));
    },
    args: ["install"],
    code: 1,
    message: "leads outside .claude",
  },
  // hostile registries
  { name: "registry path escaping the repo", args: ["registry", "add", "evil", "@escape"], code: 1, message: "path must be a relative path inside the registry" },
  { name: "registry path absolute", args: ["registry", "add", "evil", "@absolute"], code: 1, message: "path must be a relative path inside the registry" },
  { name: "registry agent name with ../", args: ["registry", "add", "evil", "@name-dotdot"], code: 1, message: 'invalid agent name "../evil"' },
  { name: "registry agent name with /", args: ["registry", "add", "evil", "@name-slash"], code: 1, message: 'invalid agent name "a/b"' },
  { name: "registry agent name with a backslash", args: ["registry", "add", "evil", "@name-backslash"], code: 1, message: "invalid agent name" },
  { name: "registry agent name with NUL", args: ["registry", "add", "evil", "@name-nul"], code: 1, message: "invalid agent name" },
  { name: "registry agent name absolute", args: ["registry", "add", "evil", "@name-abs"], code: 1, message: 'invalid agent name "/etc/passwd"' },
  { name: "symlinked agent file", setup: () => withRegistry("symlink"), args: ["install", "x"], code: 1, message: "symlinks and submodules are never followed" },
  { name: "agent file behind a symlinked folder", setup: () => withRegistry("symlink-dir"), args: ["install", "x"], code: 1, message: "missing at commit" },
  { name: "agent file that is a submodule", setup: () => withRegistry("gitlink"), args: ["install", "x"], code: 1, message: "not a regular file" },
  { name: "sha256 mismatch", setup: () => withRegistry("badsha"), args: ["install", "x"], code: 1, message: "sha256 mismatch" },
  { name: "50 MiB agent file", setup: () => withRegistry("big"), args: ["install", "x"], code: 1, message: "over the 1048576-byte limit" },
  { name: "agent Claude Code would not load", setup: () => withRegistry("unloadable"), args: ["install", "x"], code: 1, message: "evil/x@1.0.0" },
  { name: "registry.json not JSON", args: ["registry", "add", "evil", "@notjson"], code: 1, message: "registry.json:1: invalid JSON" },
  { name: "registry.json of the wrong shape", args: ["registry", "add", "evil", "@schema"], code: 1, message: '"agents" must be an object' },
  { name: "registry.json with a bad version", args: ["registry", "add", "evil", "@badversion"], code: 1, message: '"1.0" is not a semver version' },
  { name: "registry without registry.json or agents", setup: () => withRegistry("noindex"), args: ["install", "evil/x"], code: 5, message: 'agent "x" not found in registry evil' },
  { name: "registry.json a symlink", args: ["registry", "add", "evil", "@index-symlink"], code: 1, message: "registry.json is not a regular file" },
  { name: "registry.json with conflict markers", args: ["registry", "add", "evil", "@index-conflict"], code: 1, message: "contains git conflict markers" },
  { name: "empty registry", setup: () => withRegistry("empty"), args: ["install", "evil/x"], code: 5, message: 'agent "x" not found in registry evil' },
  { name: "a folder that is not a git repository", args: ["registry", "add", "evil", "@nongit"], code: 6, message: "no git repository there" },
  { name: "registry missing from the cache with --offline", setup: () => withRegistry("good"), args: ["install", "x", "--offline"], code: 6, message: "is not in the cache (--offline)" },
  {
    name: "registry gone after it was added (upgrade)",
    setup: async () => {
      await cachedThenGone();
    },
    args: ["upgrade"],
    code: 6,
    message: "unreachable",
  },
  {
    name: "registry gone after it was added (install of a new agent)",
    setup: async () => {
      await cachedThenGone();
    },
    args: ["install", "y"],
    code: 6,
    message: "unreachable",
  },
];

let gone = 0;
/** The project installed x from a registry that then disappears (network loss). */
async function cachedThenGone(): Promise<void> {
  const dir = path.join(regRoot, `gone-${++gone}`);
  copyTree(regs.good!, dir);
  manifest({ registries: { evil: dir } });
  const r = await sb.run(["install", "x"]);
  expect(r.code, r.stderr).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
}

function withoutCache(s: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith("cache")));
}

beforeAll(() => {
  sb = new Sandbox();
  regRoot = tempDir("agentpkg-hostile-regs-");
  outside = path.join(sb.root, "outside");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "keep.txt"), "must never change\n");
  regs.good = repo("good", { "registry.json": JSON.stringify({ name: "good", agents: { x: { versions: { "1.0.0": { path: "agents/x/1.0.0.md", sha256: sha256(X) } } }, y: { versions: { "1.0.0": { path: "agents/x/1.0.0.md", sha256: sha256(X) } } } } }), "agents/x/1.0.0.md": X });
  regs.escape = repo("escape", { "registry.json": index("x", "../../etc/passwd") });
  regs.absolute = repo("absolute", { "registry.json": index("x", "/etc/passwd") });
  regs["name-dotdot"] = repo("name-dotdot", { "registry.json": index("../evil") });
  regs["name-slash"] = repo("name-slash", { "registry.json": index("a/b") });
  regs["name-backslash"] = repo("name-backslash", { "registry.json": index("a\\b") });
  regs["name-nul"] = repo("name-nul", { "registry.json": index("a\u0000b") });
  regs["name-abs"] = repo("name-abs", { "registry.json": index("/etc/passwd") });
  regs.symlink = repo("symlink", { "registry.json": index("x"), "agents/x/1.0.0.md": { symlink: "/etc/passwd" } });
  regs["symlink-dir"] = repo("symlink-dir", { "registry.json": index("x", "agents/link/1.0.0.md"), "agents/real/1.0.0.md": X, "agents/link": { symlink: "real" } });
  regs.gitlink = repo("gitlink", { "registry.json": index("x"), "agents/x/1.0.0.md": { gitlink: "1".repeat(40) } });
  regs.badsha = repo("badsha", { "registry.json": index("x", undefined, sha256("something else")), "agents/x/1.0.0.md": X });
  const big = Buffer.concat([Buffer.from(X), Buffer.alloc(50 * 1024 * 1024, "a\n")]);
  regs.big = repo("big", { "registry.json": index("x", undefined, sha256(big)), "agents/x/1.0.0.md": big });
  const unloadable = "no frontmatter at all\n";
  regs.unloadable = repo("unloadable", { "registry.json": index("x", undefined, sha256(unloadable)), "agents/x/1.0.0.md": unloadable });
  regs.notjson = repo("notjson", { "registry.json": "{ not json" });
  regs.schema = repo("schema", { "registry.json": JSON.stringify({ name: "s", agents: [] }) });
  regs.badversion = repo("badversion", { "registry.json": JSON.stringify({ agents: { x: { versions: { "1.0": { path: "a.md", sha256: ZERO } } } } }) });
  regs.noindex = repo("noindex", { "README.md": "no registry here\n" });
  regs["index-symlink"] = repo("index-symlink", { "registry.json": { symlink: "/etc/passwd" } });
  regs["index-conflict"] = repo("index-conflict", { "registry.json": CONFLICT });
  regs.empty = repo("empty", { "registry.json": JSON.stringify({ name: "empty", agents: {} }) });
  regs.nongit = path.join(regRoot, "nongit");
  fs.mkdirSync(regs.nongit);
  fs.writeFileSync(path.join(regs.nongit, "registry.json"), index("x"));
}, 120_000);

afterAll(() => {
  sb.cleanup();
  fs.rmSync(regRoot, { recursive: true, force: true });
});

describe("hostile and broken input", () => {
  it("has at least 40 cases", () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    fs.rmSync(sb.project, { recursive: true, force: true });
    fs.mkdirSync(sb.project);
    await c.setup?.();
    const args = c.args.map((a) => (a.startsWith("@") ? regs[a.slice(1)]! : a));
    const project = snapshot(sb.project);
    const root = withoutCache(sb.snapshotRoot());
    try {
      const r = await sb.run(args);
      const output = r.stderr + r.stdout;
      expect(r.code, output).toBe(c.code);
      expect(output).toContain(typeof c.message === "string" ? c.message : c.message());
      expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(output).not.toContain("internal error");
      expect(r.stderr.split("\n").filter((l) => /^error\b/.test(l))).toHaveLength(1);
      expect(snapshot(sb.project)).toEqual(project);
      expect(withoutCache(sb.snapshotRoot())).toEqual(root);
      expect(fs.existsSync(MARK)).toBe(false);
    } finally {
      c.teardown?.();
    }
  });

  it("gives the same refusal as one JSON document under --json", async () => {
    const r = await sb.json(["registry", "add", "evil", `ext::sh -c touch% ${MARK}`]);
    expect(r.code).toBe(2);
    expect(r.data.error).toMatchObject({ code: "E_USAGE", message: expect.stringContaining("transport helpers") });
  });
});
