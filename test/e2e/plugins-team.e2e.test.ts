// The team flows with plugins (issue #15): sync, a teammate's fresh clone, bundles (pack, install --from,
// sync --from) and --global (user scope), through the built CLI, checked with the real Claude Code where it
// is installed.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sandbox, sha256, snapshot, type GitRepo } from "./helpers.js";
import { kitMarketplace } from "./plugin-fixtures.js";
import { claudeCodeMissing, claudeMcpList, inventory } from "./claude-code.js";
import { describeStatCache } from "../../src/store/stat-cache-format.js";

let sb: Sandbox;
let mk: GitRepo;
const others: Sandbox[] = [];

const LOCK = ".claude/agentpkg.lock";
const MANIFEST = ".claude/agentpkg.json";
const GREET = ".claude/commands/kit/greet.md";
const RUN_SH = ".claude/skills/alpha/scripts/run.sh";
const HELLO_SH = ".claude/agentpkg/plugins/kit/scripts/hello.sh";
const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
const readJson = (s: Sandbox, rel: string, dir = s.project) => JSON.parse(s.file(rel, dir));
const lock = () => readJson(sb, LOCK);
const settle = () => new Promise((r) => setTimeout(r, 150)); // past the stat cache's racy window

/** The user's own hook and server, there before agentpkg. */
const USER_SETTINGS = { model: "opus", hooks: { SessionStart: [{ hooks: [{ type: "command", command: "echo mine" }] }] } };
const USER_MCP = { mcpServers: { mine: { command: "my-server" } } };

/** Another sandbox (a teammate's machine: its own HOME and cache), cleaned up after the test. */
function machine(): Sandbox {
  const s = new Sandbox();
  others.push(s);
  return s;
}

/** What a commit of the project holds: the manifest and the lockfile, nothing else. */
function cloneOf(from: Sandbox, to: Sandbox): void {
  for (const f of [MANIFEST, LOCK]) to.write(f, from.file(f));
}

/** Every file under the project: its sha256 and mode. */
function tree(s: Sandbox, dir = s.project): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, h] of Object.entries(snapshot(dir))) {
    if (f.endsWith("/")) continue;
    out[f] = `${h} ${(fs.statSync(path.join(dir, f)).mode & 0o777).toString(8)}`;
  }
  return out;
}

/** The files and shared-file entries the lock records for a plugin that are not on disk as recorded (what verify checks). */
function notAsLocked(s: Sandbox, plugin: string, root = s.project): string[] {
  const l = JSON.parse(fs.readFileSync(path.join(root, LOCK), "utf8"));
  return Object.entries(l.plugins[plugin].files as Record<string, { sha256: string }>)
    .filter(([file, f]) => {
      const [host, key] = file.split("#");
      const abs = path.join(root, host!);
      if (!fs.existsSync(abs)) return true;
      if (key === undefined) return sha256(fs.readFileSync(abs)) !== f.sha256;
      const [top, a, b] = key.split("/");
      const section = JSON.parse(fs.readFileSync(abs, "utf8"))[top!] ?? {};
      const value = top === "hooks" ? (section[a!] ?? []).find((g: unknown) => sha256(stable(g)).startsWith(b!)) : section[a!];
      return value === undefined || sha256(stable(value)) !== f.sha256;
    })
    .map(([file]) => file);
}

/** Canonical JSON (sorted keys, no spaces): how the lock hashes an entry. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

/** The stdout of a run that must succeed. */
function human(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeEach(async () => {
  sb = new Sandbox();
  mk = kitMarketplace(sb.root);
  const r = await sb.run(["registry", "add", "mk", mk.url]);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => {
  sb.cleanup();
  for (const s of others.splice(0)) s.cleanup();
});

describe("sync with plugins", () => {
  beforeEach(async () => {
    sb.write(".claude/settings.json", json(USER_SETTINGS));
    sb.write(".mcp.json", json(USER_MCP));
    const r = await sb.run(["install", "--plugin", "kit", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("restores deleted and edited plugin files and hook and MCP entries under the local-edit rules; a second run writes nothing", async () => {
    const installed = tree(sb);
    const kitServer = readJson(sb, ".mcp.json").mcpServers["kit-server"];
    fs.rmSync(path.join(sb.project, RUN_SH));
    fs.rmSync(path.join(sb.project, HELLO_SH));
    fs.rmSync(path.join(sb.project, ".claude/skills/beta-folder"), { recursive: true });
    sb.write(GREET, sb.file(GREET).replace("Line two.", "Line two, mine."));
    const settings = readJson(sb, ".claude/settings.json");
    settings.hooks.PreToolUse = []; // the plugin's hook group deleted by hand
    sb.write(".claude/settings.json", json(settings));
    const servers = readJson(sb, ".mcp.json");
    servers.mcpServers["kit-server"].args.push("--debug"); // the plugin's server edited by hand
    servers.mcpServers.theirs = { command: "their-server" };
    sb.write(".mcp.json", json(servers));

    const refused = await sb.run(["sync"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`${GREET} (modified: +1 -1)`);
    expect(refused.stderr).toContain(".mcp.json#mcpServers/kit-server");
    expect(refused.stderr).not.toContain("run.sh"); // a deleted file is no local edit

    const kept = await sb.json(["sync", "--keep"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.data.steps.filter((s: { resolution?: string }) => s.resolution !== "keep")).toHaveLength(4); // the deleted ones
    expect(sb.file(GREET)).toContain("Line two, mine.");
    expect(sb.exists(RUN_SH) && sb.exists(HELLO_SH) && sb.exists(".claude/skills/beta-folder/SKILL.md")).toBe(true);
    expect(readJson(sb, ".claude/settings.json").hooks.PreToolUse).toHaveLength(1);
    expect(readJson(sb, ".mcp.json").mcpServers["kit-server"].args).toContain("--debug");

    const forced = await sb.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("synced 1 package: 2 restored");
    expect(forced.stdout).toContain(`saved your edited copy as ${GREET}.orig`);
    expect(forced.stdout).toContain("saved your edited copy as .mcp.json.orig");
    expect(sb.file(`${GREET}.orig`)).toContain("Line two, mine.");
    const now = tree(sb);
    for (const f of Object.keys(installed)) if (f !== ".mcp.json") expect(now[f], f).toBe(installed[f]);
    // the server is as installed again; their own server stays
    expect(readJson(sb, ".mcp.json").mcpServers).toEqual({ ...USER_MCP.mcpServers, theirs: { command: "their-server" }, "kit-server": kitServer });
    expect(notAsLocked(sb, "kit")).toEqual([]);

    const again = await sb.json(["sync"]);
    expect([again.code, again.data.inSync, again.data.locked, again.data.steps]).toEqual([0, true, 1, []]);
  });

  it("refuses (exit 4) a manifest the lock does not cover: a plugin it lacks, a range, a registry pin, other parts; nothing written", async () => {
    const m = readJson(sb, MANIFEST);
    const cases: [string, unknown, string][] = [
      ["missing", { ...m, plugins: { ...m.plugins, solo: "^0.3.0" } }, "plugin solo: in the manifest but not in the lockfile"],
      ["range", { ...m, plugins: { kit: "^2.0.0" } }, 'plugin kit: locked mk@1.0.0 does not satisfy "^2.0.0"'],
      ["registry", { ...m, registries: { ...m.registries, mk2: mk.url }, plugins: { kit: { version: "^1.0.0", registry: "mk2" } } }, 'plugin kit: locked mk@1.0.0 does not satisfy "mk2/^1.0.0"'],
      ["parts", { ...m, plugins: { kit: { version: "^1.0.0", parts: ["greet"] } } }, "plugin kit: locked with the whole plugin, the manifest wants parts greet"],
    ];
    fs.rmSync(path.join(sb.project, RUN_SH)); // something sync would restore, were it allowed to
    for (const [what, manifest, message] of cases) {
      sb.write(MANIFEST, json(manifest));
      const before = snapshot(sb.project);
      const r = await sb.json(["sync"]);
      expect(r.code, what).toBe(4);
      expect(r.data.error.details, what).toEqual([message]);
      expect(snapshot(sb.project), what).toEqual(before);
    }
  });

  it("removes a plugin dropped from the manifest: its files, folders and entries go, the user's own stay", async () => {
    const m = readJson(sb, MANIFEST);
    delete m.plugins.kit;
    sb.write(MANIFEST, json(m));
    const r = await sb.json(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.locked).toBe(0);
    for (const f of [".claude/agents", ".claude/commands", ".claude/skills", ".claude/agentpkg"]) expect(sb.exists(f), f).toBe(false);
    expect(readJson(sb, ".claude/settings.json")).toEqual(USER_SETTINGS);
    expect(readJson(sb, ".mcp.json")).toEqual(USER_MCP);
    expect(lock().plugins ?? {}).toEqual({});
  });

  it("answers a repeated no-op sync and verify from the stat cache, and still sees a deleted plugin file and a changed hook or MCP entry", async () => {
    const statFile = () => {
      const dir = path.join(sb.root, "cache", "agentpkg", "stat");
      return describeStatCache(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!)))!;
    };
    await settle();
    expect((await sb.run(["sync"])).stdout).toContain("already in sync: 1 package");
    expect((await sb.run(["verify"])).code).toBe(0);
    const { sync: remembered, verify } = statFile().unchanged;
    if (!remembered) throw new Error("no remembered sync");
    expect(remembered).toMatchObject({ counts: [1] });
    expect(verify).toMatchObject({ counts: [0, 1], files: remembered.files });
    expect(remembered.files).toEqual(expect.arrayContaining([".claude/settings.json", ".mcp.json", GREET, RUN_SH]));
    expect(remembered.files.some((f: string) => f.includes("#"))).toBe(false);
    const quick = await sb.json(["sync"]);
    expect([quick.code, quick.data.inSync, quick.data.locked]).toEqual([0, true, 1]);

    const edits: [string, () => void, number][] = [
      ["an MCP server removed by hand", () => sb.write(".mcp.json", json(USER_MCP)), 1],
      ["the hook groups removed by hand", () => sb.write(".claude/settings.json", json(USER_SETTINGS)), 2],
      ["a skill's script deleted", () => fs.rmSync(path.join(sb.project, RUN_SH)), 1],
    ];
    for (const [what, edit, restored] of edits) {
      await settle();
      expect((await sb.run(["sync"])).stdout, what).toContain("already in sync");
      expect((await sb.run(["verify"])).stdout, what).toContain("ok: 1 plugin matches");
      edit();
      const drift = await sb.json(["verify"]);
      expect([drift.code, drift.data.problems.length > 0], what).toEqual([4, true]);
      const r = await sb.run(["sync"]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      expect(r.stdout, what).toContain(`synced 1 package: ${restored} restored`);
      expect(notAsLocked(sb, "kit"), what).toEqual([]);
    }
  });
});

describe("a teammate's fresh clone (manifest and lock committed, no plugin files)", () => {
  it("install writes exactly what the lock says, byte for byte, without a review; verify passes", async () => {
    expect((await sb.run(["install", "--plugin", "kit", "--yes"])).code).toBe(0);
    expect((await sb.run(["install", "debugger"])).code).toBe(0);
    const teammate = machine(); // another HOME, an empty cache
    cloneOf(sb, teammate);
    const r = await teammate.run(["install"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("--yes");
    expect(tree(teammate)).toEqual(tree(sb));
    expect(notAsLocked(teammate, "kit")).toEqual([]);
    const verify = await teammate.run(["verify"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const again = await teammate.run(["install"]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining("up to date")]);
    expect(tree(teammate)).toEqual(tree(sb));
    // CI=true implies --frozen: the lock is complete, so it installs the same
    const ci = machine();
    cloneOf(sb, ci);
    const frozen = await ci.run(["install"], { env: { CI: "true" } });
    expect(frozen.code, frozen.stderr).toBe(0);
    expect(tree(ci)).toEqual(tree(sb));
  });
});

/** A PATH holding only node: any attempt to run git fails. */
function nodeOnlyPath(s: Sandbox): string {
  const bin = path.join(s.root, "node-only-bin");
  fs.mkdirSync(bin, { recursive: true });
  if (!fs.existsSync(path.join(bin, "node"))) fs.symlinkSync(process.execPath, path.join(bin, "node"));
  return bin;
}

describe("bundles with plugins: pack, install --from, sync --from", () => {
  let bundle: string;
  beforeEach(async () => {
    expect((await sb.run(["install", "--plugin", "kit", "--yes"])).code).toBe(0);
    expect((await sb.run(["install", "debugger"])).code).toBe(0);
    const r = await sb.json(["pack", "-o", "one.tgz"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.plugins).toEqual([{ name: "kit", version: "1.0.0", files: Object.keys(lock().plugins.kit.files).length }]);
    bundle = path.join(sb.project, "one.tgz");
    fs.renameSync(bundle, (bundle = path.join(sb.root, "one.tgz"))); // not part of the project tree
  });

  it("carries every plugin file and entry by sha256; packing again, with an empty store, gives the same bytes", async () => {
    const listing = execFileSync("tar", ["-tzf", bundle], { encoding: "utf8" }).trim().split("\n");
    const l = lock();
    const shas = new Set([l.agents.debugger.sha256, ...Object.values(l.plugins.kit.files as Record<string, { sha256: string }>).map((f) => f.sha256)]);
    expect(listing.sort()).toEqual(["agentpkg.json", "agentpkg.lock", "index.json", ...[...shas].map((s) => `content/${s}`)].sort());
    const index = JSON.parse(execFileSync("tar", ["-xzOf", bundle, "index.json"], { encoding: "utf8" }));
    expect(index).toMatchObject({ bundleVersion: 2, plugins: [{ name: "kit", version: "1.0.0", root: "plugins/kit" }] });
    expect(human(await sb.run(["pack", "-o", "two.tgz"]))).toContain("packed 1 agent and 1 plugin");
    fs.rmSync(path.join(sb.root, "cache", "agentpkg", "store"), { recursive: true });
    const again = await sb.json(["pack", "-o", "three.tgz"]);
    expect(again.data.fetched).toEqual(expect.arrayContaining(["plugin kit"]));
    for (const f of ["two.tgz", "three.tgz"]) expect(fs.readFileSync(path.join(sb.project, f)).equals(fs.readFileSync(bundle)), f).toBe(true);
  });

  it("install --from on a fresh clone installs the plugin with no network and no git, byte for byte; sync --from restores it", async () => {
    const teammate = machine();
    cloneOf(sb, teammate);
    const env = { PATH: nodeOnlyPath(teammate) };
    const r = await teammate.run(["install", "--from", bundle], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(tree(teammate)).toEqual(tree(sb));
    expect(teammate.file(LOCK)).toBe(sb.file(LOCK));
    // the store was filled from the bundle: without git, a deleted skill comes back offline
    fs.rmSync(path.join(teammate.project, ".claude/skills/alpha"), { recursive: true });
    const offline = await teammate.run(["install", "--offline"], { env });
    expect(offline.code, offline.stderr).toBe(0);
    expect(tree(teammate)).toEqual(tree(sb));
    // sync --from: local-edit rules apply, --force restores
    teammate.write(GREET, "mine\n");
    fs.rmSync(path.join(teammate.project, ".mcp.json"));
    expect((await teammate.run(["sync", "--from", bundle], { env })).code).toBe(3);
    const forced = await teammate.json(["sync", "--from", bundle, "--force"], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.data.locked).toBe(2);
    expect(teammate.file(`${GREET}.orig`)).toBe("mine\n");
    fs.rmSync(path.join(teammate.project, `${GREET}.orig`));
    expect(tree(teammate)).toEqual(tree(sb));
  });

  it("a project without a lock takes the bundle's after the review of its hooks and MCP servers; one whose lock differs is refused", async () => {
    const fresh = machine();
    const env = { PATH: nodeOnlyPath(fresh) };
    const before = snapshot(fresh.project);
    const refused = await fresh.run(["install", "--from", bundle], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("MCP server kit-server: node .claude/agentpkg/plugins/kit/scripts/server.js");
    expect(snapshot(fresh.project)).toEqual(before);
    const r = await fresh.run(["install", "--from", bundle, "--yes"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(tree(fresh)).toEqual(tree(sb));

    const other = machine();
    cloneOf(sb, other);
    const l = JSON.parse(other.file(LOCK));
    const [file] = Object.keys(l.plugins.kit.files);
    l.plugins.kit.files[file!].sha256 = "0".repeat(64);
    other.write(LOCK, json(l));
    const untouched = snapshot(other.project);
    const differs = await other.json(["install", "--from", bundle], { env: { PATH: nodeOnlyPath(other) } });
    expect(differs.code).toBe(4);
    expect(differs.data.error.details).toEqual(["plugin kit: project has 1.0.0 from mk, bundle has 1.0.0 from mk (other files)"]);
    expect(snapshot(other.project)).toEqual(untouched);
  });
});

/** The files (each path, or every file under it when it is a folder) whose text matches `re`. */
function filesMatching(paths: string[], re: RegExp): string[] {
  const files = paths.flatMap((p) => (fs.statSync(p).isDirectory() ? Object.keys(snapshot(p)).filter((f) => !f.endsWith("/")).map((f) => path.join(p, f)) : [p]));
  return files.filter((f) => re.test(fs.readFileSync(f, "utf8")));
}

describe("--global: a plugin in the user scope (~/.claude)", () => {
  /** Claude Code's own state file, with a user-scope server and other keys it keeps there. */
  const USER_STATE = { numStartups: 3, mcpServers: { mine: { command: "my-server" } }, projects: { "/somewhere": { allowedTools: [] } } };
  const home = (rel: string) => path.join(sb.home, rel);

  beforeEach(async () => {
    sb.write(".claude.json", json(USER_STATE), sb.home);
    sb.write(".claude/settings.json", json(USER_SETTINGS), sb.home);
    expect((await sb.run(["registry", "add", "mk", mk.url, "--global"])).code).toBe(0);
    const r = await sb.run(["install", "--global", "--plugin", "kit", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("lands where Claude Code reads user-level parts, its MCP server in ~/.claude.json, every path absolute; remove leaves the user's own", async () => {
    for (const f of ["agents/kit/planner.md", "commands/kit/greet.md", "commands/kit/sub/deep.md", "skills/alpha/SKILL.md", "skills/alpha/scripts/run.sh", "skills/beta-folder/SKILL.md", "agentpkg/plugins/kit/scripts/hello.sh"]) {
      expect(fs.existsSync(home(`.claude/${f}`)), f).toBe(true);
    }
    expect(fs.existsSync(home(".mcp.json"))).toBe(false); // Claude Code reads no ~/.mcp.json
    expect(fs.readdirSync(sb.project)).toEqual([".claude"]); // the project got only its manifest (registry add, earlier)
    const root = `${sb.home}/.claude/agentpkg/plugins/kit`;
    const state = readJson(sb, ".claude.json", sb.home);
    expect(state).toMatchObject({ numStartups: 3, projects: USER_STATE.projects });
    expect(state.mcpServers.mine).toEqual(USER_STATE.mcpServers.mine);
    expect(state.mcpServers["kit-server"]).toEqual({ command: "node", args: [`${root}/scripts/server.js`], env: { KIT_MODE: "test", CLAUDE_PLUGIN_ROOT: root } });
    const hooks = readJson(sb, ".claude/settings.json", sb.home).hooks;
    expect(hooks.SessionStart[0]).toEqual(USER_SETTINGS.hooks.SessionStart[0]);
    expect(hooks.SessionStart[1].hooks[0].command).toBe(`export CLAUDE_PLUGIN_ROOT="${root}" CLAUDE_PLUGIN_DATA="${sb.home}/.claude/agentpkg/data/kit"; ${root}/scripts/hello.sh`);
    expect(sb.file(".claude/commands/kit/greet.md", sb.home)).toContain(`Run ${root}/scripts/greet.sh`);
    expect(sb.file(".claude/skills/alpha/SKILL.md", sb.home)).toContain(`Run ${root}/skills/alpha/scripts/run.sh`);
    // nothing outside the plugin's own copy names the project or the plugin variables
    const parts = [".claude/agents", ".claude/commands", ".claude/skills", ".claude/settings.json", ".claude.json"].map(home);
    expect(filesMatching(parts, /CLAUDE_PROJECT_DIR|\$\{?CLAUDE_PLUGIN_(ROOT|DATA)\b/).map((f) => path.relative(sb.home, f))).toEqual([]);
    const l = JSON.parse(sb.file(LOCK, sb.home));
    expect(l.plugins.kit.files[".claude.json#mcpServers/kit-server"]).toMatchObject({ kind: "mcp", part: "kit-server" });
    expect(notAsLocked(sb, "kit", sb.home)).toEqual([]);

    // Claude Code rewrites its state file as it pleases: sync only cares about the entries
    sb.write(".claude.json", JSON.stringify({ ...state, numStartups: 4, firstStartTime: "2026-01-01" }), sb.home);
    expect(human(await sb.run(["sync", "--global"]))).toContain("already in sync: 1 package");
    delete state.mcpServers["kit-server"];
    sb.write(".claude.json", json(state), sb.home);
    expect(human(await sb.run(["sync", "--global"]))).toContain("synced 1 package: 1 restored");
    expect(readJson(sb, ".claude.json", sb.home).mcpServers["kit-server"].command).toBe("node");

    expect(human(await sb.run(["remove", "--global", "kit"]))).toContain("- plugin kit 1.0.0");
    expect(readJson(sb, ".claude.json", sb.home)).toEqual(USER_STATE);
    expect(readJson(sb, ".claude/settings.json", sb.home)).toEqual(USER_SETTINGS);
    for (const f of ["agents", "commands", "skills", "agentpkg"]) expect(fs.existsSync(home(`.claude/${f}`)), f).toBe(false);
  });

  it("a user lock's MCP server must be an entry of ~/.claude.json, a project lock's one of .mcp.json", async () => {
    const userLock = sb.file(LOCK, sb.home);
    sb.write(LOCK, userLock.replaceAll(".claude.json#mcpServers/", ".mcp.json#mcpServers/"), sb.home);
    const r = await sb.run(["sync", "--global"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('.claude/agentpkg.lock: plugins.kit.files[".mcp.json#mcpServers/kit-server"]: an MCP server entry may not be written there (MCP servers go to .claude.json in the user scope)');
    sb.write(LOCK, userLock, sb.project);
    const project = await sb.run(["sync"]);
    expect(project.code).toBe(1);
    expect(project.stderr).toContain('plugins.kit.files[".claude.json#mcpServers/kit-server"]: an MCP server entry may not be written there (MCP servers go to .mcp.json)');
  });
});

describe.skipIf(claudeCodeMissing() !== undefined)(`the real Claude Code ${claudeCodeMissing() ? `(skipped: ${claudeCodeMissing()})` : ""}`, () => {
  it("loads in a teammate's fresh clone, after agentpkg install, the same parts as in the project it was locked in", async () => {
    expect((await sb.run(["install", "--plugin", "kit", "--yes"])).code).toBe(0);
    const teammate = machine();
    cloneOf(sb, teammate);
    expect((await teammate.run(["install"])).code).toBe(0);
    const [ours, theirs] = await Promise.all([inventory(sb.project), inventory(teammate.project)]);
    expect(ours.agents).toEqual(["inner", "planner"]);
    expect(ours.commands).toEqual(expect.arrayContaining(["kit:greet", "kit:sub:deep"]));
    expect(ours.skills).toBe(2);
    expect(ours.hooks).toEqual(["SessionStart success 0"]);
    expect(theirs).toEqual(ours);
    expect(fs.readFileSync(path.join(teammate.project, ".kit-hook-ran"), "utf8")).toContain("kit hook ran");
    // the project's server is listed (pending the user's approval, as every .mcp.json server)
    expect(await claudeMcpList(teammate.project, teammate.home)).toEqual([expect.stringMatching(/^kit-server: node \.claude\/agentpkg\/plugins\/kit\/scripts\/server\.js .*Pending approval/)]);
  }, 240_000);

  it("loads a --global plugin's agents, commands, skills and hooks in any project, and connects to its MCP server", async () => {
    expect((await sb.run(["registry", "add", "mk", mk.url, "--global"])).code).toBe(0);
    const r = await sb.run(["install", "--global", "--plugin", "kit", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const anywhere = path.join(sb.root, "anywhere");
    fs.mkdirSync(anywhere);
    const inv = await inventory(anywhere, sb.home);
    expect(inv.agents).toEqual(["inner", "planner"]);
    expect(inv.commands).toEqual(expect.arrayContaining(["kit:greet", "kit:sub:deep"]));
    expect(inv.skills).toBe(2);
    expect(inv.hooks).toEqual(["SessionStart success 0"]); // exit 7 if it had not found its plugin folder
    expect(fs.readFileSync(path.join(anywhere, ".kit-hook-ran"), "utf8")).toContain("kit hook ran");
    const servers = await claudeMcpList(anywhere, sb.home);
    expect(servers).toEqual([`kit-server: node ${sb.home}/.claude/agentpkg/plugins/kit/scripts/server.js - ✔ Connected`]);
  }, 240_000);
});
