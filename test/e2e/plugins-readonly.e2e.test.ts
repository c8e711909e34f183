// The read-only commands on installed plugins and their parts (issue #15): list, status, verify, doctor,
// outdated, diff, info and search, through the built CLI against a synthetic marketplace.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, snapshot, type GitRepo } from "./helpers.js";
import { kitSandbox, writeKit } from "./plugin-fixtures.js";

let sb: Sandbox;
let mk: GitRepo;

const GREET = ".claude/commands/kit/greet.md";
const ALPHA = ".claude/skills/alpha/SKILL.md";
const SERVER = ".mcp.json#mcpServers/kit-server";
const KIT_PARTS = { agent: ["inner", "planner"], command: ["kit:greet", "kit:sub:deep"], skill: ["alpha", "beta-folder"], hook: ["PreToolUse", "SessionStart"], mcp: ["kit-server"] };
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);
const readJson = (rel: string) => JSON.parse(sb.file(rel));
const writeJson = (rel: string, v: unknown) => sb.write(rel, JSON.stringify(v, null, 2) + "\n");

/** Edit a command, delete a skill's file, change the MCP server, take a hook group out of settings.json. */
function editEverything(): void {
  sb.write(GREET, sb.file(GREET).replace("Line two.", "Line two, mine."));
  fs.rmSync(path.join(sb.project, ALPHA));
  const m = readJson(".mcp.json");
  m.mcpServers["kit-server"].env.KIT_MODE = "mine";
  writeJson(".mcp.json", m);
  const s = readJson(".claude/settings.json");
  delete s.hooks.PreToolUse;
  writeJson(".claude/settings.json", s);
}

async function installKit(): Promise<void> {
  const r = await sb.run(["install", "--plugin", "kit", "--yes"]);
  expect(r.code, r.stderr).toBe(0);
}

beforeEach(async () => {
  ({ sb, mk } = await kitSandbox());
});
afterEach(() => sb.cleanup());

describe("list", () => {
  it("lists a plugin's version, range, parts and state (its agent files are not untracked), then each file not as written and stray files in its folders", async () => {
    await installKit();
    expect((await sb.run(["install", "debugger"])).code).toBe(0);
    const r = await sb.json(["list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.untracked).toEqual([]);
    expect(r.data.agents.map((a: { name: string }) => a.name)).toEqual(["debugger"]);
    expect(r.data.plugins).toEqual([{ name: "kit", version: "1.0.0", range: "^1.0.0", registry: "mk", selected: null, parts: KIT_PARTS, state: "ok", files: [], untracked: [], contextTokens: expect.any(Number) }]);
    const human = await sb.run(["list"]);
    expect(human.stdout).toMatch(/^NAME +VERSION +REGISTRY +STATE +CONTEXT +PARTS\n/);
    expect(human.stdout).toMatch(/\nkit +1\.0\.0 +mk +ok +~\d+ tok +plugin: 2 agents, 2 commands, 2 skills, 2 hooks, 1 MCP server\n?/);
    // then each file and entry that is not as written, and stray files in the plugin's own folders
    editEverything();
    sb.write(".claude/skills/alpha/notes.txt", "mine\n");
    sb.write(".claude/commands/kit/mine.md", "---\ndescription: mine\n---\nMine.\n");
    sb.write(`${GREET}.orig`, "an old backup\n"); // agentpkg's own leftovers are not untracked
    const edited = await sb.json(["list"]);
    expect(edited.code, edited.stderr).toBe(0);
    const kit = edited.data.plugins[0];
    expect(kit.state).toBe("missing");
    const states = kit.files.map((f: { kind: string; part: string; state: string }) => `${f.kind} ${f.part} ${f.state}`);
    expect(states).toEqual(["command kit:greet modified", "hook PreToolUse missing", "skill alpha missing", "mcp kit-server modified"]);
    expect(kit.untracked).toEqual([".claude/commands/kit/mine.md", ".claude/skills/alpha/notes.txt"]);
    const lines = await sb.run(["list"]);
    expect(lines.stdout).toContain("\nplugin kit:\n  modified  .claude/commands/kit/greet.md\n  missing   hook PreToolUse in .claude/settings.json\n");
    expect(lines.stdout).toContain("  modified  MCP server kit-server in .mcp.json");
    expect(lines.stdout).toMatch(/\.claude\/skills\/alpha\/notes\.txt +- +- +untracked +- +in plugin kit's folder/);
  });

  it("names the parts a PLUGIN:PART install chose, and plugins the manifest wants but the lock lacks", async () => {
    expect((await sb.run(["install", "kit:greet"])).code).toBe(0);
    const m = readJson(".claude/agentpkg.json");
    m.plugins.solo = "^0.3.0";
    writeJson(".claude/agentpkg.json", m);
    const r = await sb.json(["list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.plugins[0]).toMatchObject({ name: "kit", selected: ["greet"], parts: { command: ["kit:greet"] }, state: "ok" });
    expect(r.data.pluginsNotInstalled).toEqual(["solo"]);
    const human = await sb.run(["list"]);
    expect(human.stdout).toMatch(/kit +1\.0\.0 +mk +ok +~\d+ tok +plugin, parts greet: 1 command/);
    expect(human.stdout).toMatch(/solo +- +- +not installed +- +plugin/);
  });
});

describe("status", () => {
  it("adds the lines each edit changed and the version upgrade would take", async () => {
    await installKit();
    editEverything();
    writeKit(mk, "1.1.0").commit("kit 1.1.0");
    const r = await sb.json(["status"]);
    expect(r.code, r.stderr).toBe(0);
    const kit = r.data.plugins[0];
    expect(kit).toMatchObject({ name: "kit", state: "missing", upgrade: "1.1.0", edits: { added: 2, removed: 2 } });
    const edits = (file: string) => kit.files.find((f: { file: string }) => f.file === file).edits;
    expect([edits(GREET), edits(SERVER), edits(ALPHA)]).toEqual([{ added: 1, removed: 1 }, { added: 1, removed: 1 }, null]);
    const human = await sb.run(["status"]);
    expect(human.stdout).toMatch(/kit +1\.0\.0 +mk +missing \(\+2 -2\) +1\.1\.0 available +plugin: /);
    expect(human.stdout).toContain("  modified (+1 -1)  .claude/commands/kit/greet.md");
    expect(human.stdout).toContain("see local edits with agentpkg diff [name]");
  });

  it("finds a newer plugin version from the plugin's versions only, never reading its files", async () => {
    await installKit();
    // 1.1.0 holds a file over the per-file limit: reading that version fails, listing its versions does not
    writeKit(mk, "1.1.0").write("plugins/kit/data/huge.bin", Buffer.alloc(17 * 1024 * 1024).toString()).commit("kit 1.1.0, too large to install");
    const r = await sb.json(["status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.plugins[0].upgrade).toBe("1.1.0");
    expect(r.data.problems).toEqual([]);
    const diff = await sb.run(["diff", "kit", "--upstream"]);
    expect([diff.code, diff.stderr]).toEqual([1, expect.stringContaining("too large to install")]);
    noStack(diff.stderr);
  });

  it("checks against the cached copy when the marketplace cannot be reached, and says so", async () => {
    await installKit();
    fs.renameSync(mk.dir, `${mk.dir}.gone`);
    const r = await sb.json(["status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.plugins[0]).toMatchObject({ name: "kit", state: "ok", upgrade: null });
    expect(r.data.problems.join("\n")).toMatch(/checked kit for upgrades against the cached copy/);
  });
});

describe("verify", () => {
  it("passes a clean plugin offline, then lists every file, entry and manifest disagreement (exit 4), writing nothing", async () => {
    await installKit();
    fs.rmSync(mk.dir, { recursive: true }); // verify never reads a registry
    const ok = await sb.run(["verify"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("ok: 1 plugin matches .claude/agentpkg.lock and .claude/agentpkg.json");
    editEverything();
    const m = readJson(".claude/agentpkg.json");
    m.plugins.kit = { version: "^2.0.0", parts: ["greet"] };
    writeJson(".claude/agentpkg.json", m);
    const before = snapshot(sb.project);
    const r = await sb.json(["verify"]);
    expect(r.code).toBe(4);
    expect(r.data.checkedPlugins).toBe(1);
    const problems = r.data.problems.map((p: { type: string; kind: string; file?: string }) => `${p.type} ${p.kind} ${p.file ?? "-"}`);
    expect(problems).toEqual([expect.stringMatching(/^plugin missing \.claude\/settings\.json#hooks\/PreToolUse\/[0-9a-f]{12}$/), `plugin missing ${ALPHA}`, `plugin modified ${GREET}`, `plugin modified ${SERVER}`, "plugin parts -", "plugin range -"]);
    const human = await sb.run(["verify"]);
    expect(human.code).toBe(4);
    expect(human.stderr).toContain("verify found 6 problems (1 plugin checked)");
    expect(human.stderr).toContain("hook PreToolUse in .claude/settings.json (plugin kit) is missing");
    expect(human.stderr).toContain("MCP server kit-server in .mcp.json (plugin kit) was changed");
    expect(human.stderr).toContain("plugin kit: the manifest asks for only the parts greet but the lockfile has the whole plugin");
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("reports a locked plugin the manifest dropped (doctor too), and a settings.json that is not JSON without a stack trace", async () => {
    await installKit();
    const m = readJson(".claude/agentpkg.json");
    delete m.plugins;
    writeJson(".claude/agentpkg.json", m);
    const dropped = await sb.json(["verify"]);
    expect(dropped.code).toBe(4);
    expect(dropped.data.problems).toEqual([expect.objectContaining({ type: "plugin", kind: "not-in-manifest", name: "kit" })]);
    expect(dropped.data.untracked).toEqual([]);
    const doctor = await sb.run(["doctor"]);
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toContain("plugin kit is in .claude/agentpkg.lock but not in .claude/agentpkg.json");
    expect((await sb.run(["install", "--plugin", "kit", "--yes"])).code).toBe(0);
    sb.write(".claude/settings.json", "{ not json");
    const r = await sb.run(["verify"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/warning \.claude\/settings\.json is not valid JSON.*the plugin entries in it count as missing/);
    expect(r.stderr).toContain("hook SessionStart in .claude/settings.json (plugin kit) is missing");
    noStack(r.stderr);
  });
});

describe("doctor", () => {
  it("finds a plugin's missing files, its edits, manifest disagreements and agents of one name from a plugin and by hand", async () => {
    await installKit();
    fs.rmSync(path.join(sb.project, ALPHA));
    sb.write(GREET, sb.file(GREET) + "mine\n");
    sb.write(`${GREET}.orig`, "a backup\n");
    sb.write(".claude/agents/planner.md", agentText("planner", { description: "my own planner" }));
    sb.write(".claude/agents/kit/inner.md", sb.file(".claude/agents/kit/inner.md").replace("name: inner", "name: planner"));
    const m = readJson(".claude/agentpkg.json");
    m.plugins.solo = "^0.3.0";
    writeJson(".claude/agentpkg.json", m);
    const r = await sb.json(["doctor"]);
    expect(r.code).toBe(4);
    const findings = r.data.findings.map((f: { kind: string; severity: string; file?: string }) => [f.kind, f.severity, f.file ?? null]);
    const wanted = [["missing", "problem", ALPHA], ["modified", "note", GREET], ["not-installed", "problem", null], ["duplicate-name", "problem", ".claude/agents/kit/inner.md"], ["backup", "note", `${GREET}.orig`]];
    expect(findings).toEqual(expect.arrayContaining(wanted));
    const human = await sb.run(["doctor"]);
    expect(human.stdout).toContain(`${ALPHA} (plugin kit 1.0.0) is locked but missing`);
    expect(human.stdout).toContain("plugin solo is in .claude/agentpkg.json but not installed");
    expect(human.stdout).toContain('.claude/agents/kit/inner.md (plugin kit) and .claude/agents/kit/planner.md (plugin kit) and .claude/agents/planner.md are all named "planner"');
  });
});

describe("outdated", () => {
  it("has a row per plugin behind its range or the latest version, and exits 4", async () => {
    await installKit();
    expect((await sb.run(["outdated"])).stdout).toContain("1 plugin is up to date");
    writeKit(mk, "1.1.0").commit("kit 1.1.0");
    writeKit(mk, "2.0.0").commit("kit 2.0.0");
    const r = await sb.json(["outdated"]);
    expect(r.code).toBe(4);
    expect(r.data).toMatchObject({ checked: 0, checkedPlugins: 1 });
    expect(r.data.outdated).toEqual([{ name: "kit", type: "plugin", current: "1.0.0", wanted: "1.1.0", latest: "2.0.0", range: "^1.0.0", registry: "mk" }]);
    const human = await sb.run(["outdated"]);
    expect(human.stdout).toMatch(/NAME +CURRENT +WANTED +LATEST +REGISTRY +TYPE\nkit +1\.0\.0 +1\.1\.0 +2\.0\.0 +mk +plugin/);
  });
});

describe("diff", () => {
  it("shows each edited file and entry of a plugin, pristine -> local; without a name every package that differs", async () => {
    await installKit();
    expect((await sb.run(["install", "debugger"])).code).toBe(0);
    const clean = await sb.run(["diff", "kit"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe("plugin kit: no local edits");
    editEverything();
    sb.write(".claude/agents/debugger.md", sb.file(".claude/agents/debugger.md") + "mine\n");
    const r = await sb.json(["diff", "kit"]);
    expect(r.code, r.stderr).toBe(0);
    const diffs = r.data.diffs.map((d: { type: string; kind: string; file: string; missing: boolean }) => `${d.type} ${d.kind} ${d.file}${d.missing ? " (missing)" : ""}`);
    expect(diffs).toEqual([`plugin command ${GREET}`, expect.stringMatching(/^plugin hook \.claude\/settings\.json#hooks\/PreToolUse\/\w+ \(missing\)$/), `plugin skill ${ALPHA} (missing)`, `plugin mcp ${SERVER}`]);
    expect(r.data.diffs[0].diff).toContain("-Line two.\n+Line two, mine.");
    expect(r.data.diffs[3].diff).toContain('-    "KIT_MODE": "test"\n+    "KIT_MODE": "mine"');
    const human = await sb.run(["diff"]);
    expect(human.stdout).toContain("+mine"); // the agent's edit
    expect(human.stdout).toContain("plugin kit: local edits of 1.0.0\n--- .claude/commands/kit/greet.md (kit@1.0.0)\n+++ .claude/commands/kit/greet.md\n");
    expect(human.stdout).toContain(`--- ${ALPHA} (kit@1.0.0)\n+++ ${ALPHA} (deleted)`);
    const unknown = await sb.run(["diff", "nope"]);
    expect(unknown.code).toBe(5);
  });

  it("--upstream diffs the local files against the version upgrade would install: changed, added and dropped files", async () => {
    await installKit();
    sb.write(GREET, sb.file(GREET).replace("Line two.", "Line two, mine."));
    writeKit(mk, "1.1.0", { commandBody: "Say hello.\nLine two.\nLine three.\nLine four, upstream.\n" }).write("plugins/kit/commands/new.md", "---\ndescription: New\n---\nNew.\n").remove("plugins/kit/commands/sub").commit("kit 1.1.0");
    const r = await sb.json(["diff", "--upstream"]);
    expect(r.code, r.stderr).toBe(0);
    const byFile = new Map(r.data.diffs.map((d: { file: string }) => [d.file, d]));
    expect(byFile.get(GREET)).toMatchObject({ version: "1.1.0", installed: "1.0.0", kind: "command" });
    expect((byFile.get(GREET) as { diff: string }).diff).toMatch(/-Line two, mine\.\n\+Line two\.[\s\S]*-Line four\.\n\+Line four, upstream\./);
    expect((byFile.get(".claude/commands/kit/new.md") as { diff: string }).diff).toContain("--- .claude/commands/kit/new.md (not installed)\n+++ .claude/commands/kit/new.md (kit@1.1.0)\n");
    expect((byFile.get(".claude/commands/kit/sub/deep.md") as { diff: string }).diff).toContain("+++ .claude/commands/kit/sub/deep.md (kit@1.1.0: removed)\n@@ -1,4 +0,0 @@");
    const human = await sb.run(["diff", "kit", "--upstream"]);
    expect(human.stdout).toMatch(/^plugin kit: 1\.0\.0 -> 1\.1\.0\n/);
  });
});

describe("info and search", () => {
  it("info PLUGIN shows its versions, description and parts; info AGENT and search name the plugin an agent or command comes from", async () => {
    writeKit(mk, "1.1.0").commit("kit 1.1.0");
    const r = await sb.json(["info", "kit"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data).toMatchObject({ type: "plugin", name: "kit", registry: "mk", description: "A kit of every part", latest: "1.1.0", shown: "1.1.0", parts: KIT_PARTS });
    expect(r.data.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    const old = await sb.json(["info", "mk/kit@1.0.0"]);
    expect(old.data).toMatchObject({ type: "plugin", shown: "1.0.0" });
    const human = await sb.run(["info", "--plugin", "kit"]);
    expect(human.stdout).toContain("kit@1.1.0  (plugin, registry mk)");
    expect(human.stdout).toContain("  commands: kit:greet, kit:sub:deep\n");
    expect(human.stdout).toContain("  MCP servers: kit-server\n");
    const missing = await sb.run(["info", "--plugin", "planner"]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('plugin "planner" not found');
    // info AGENT and search name the plugin an agent or command comes from; search finds plugins as such
    const info = await sb.json(["info", "planner"]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.data).toMatchObject({ type: "agent", name: "planner", plugin: "kit", alsoPlugin: false, parts: null });
    expect((await sb.run(["info", "planner"])).stdout).toContain("from plugin kit (see it whole with agentpkg info --plugin mk/kit)");
    const plugin = await sb.json(["search", "kit"]);
    expect(plugin.data.results).toEqual([expect.objectContaining({ name: "kit", type: "plugin", plugin: null, registry: "mk", version: "1.1.0", match: "exact" })]);
    const command = await sb.json(["search", "greet"]);
    expect(command.data.results).toEqual([expect.objectContaining({ name: "kit:greet", type: "command", plugin: "kit", registry: "mk" })]);
    const agent = await sb.json(["search", "planner"]);
    expect(agent.data.results).toEqual([expect.objectContaining({ name: "planner", type: "agent", plugin: "kit" })]);
    const table = await sb.run(["search", "plan"]);
    expect(table.stdout).toMatch(/^NAME +VERSION +REGISTRY +DESCRIPTION\nplanner +1\.1\.0 +mk +\(agent of plugin kit\) Plans work/);
    expect((await sb.run(["search", "kit"])).stdout).toMatch(/\nkit +1\.1\.0 +mk +\(plugin\) A kit of every part/);
    expect((await sb.run(["search", "greet"])).stdout).toMatch(/\nkit:greet +1\.1\.0 +mk +\(command of plugin kit\)/);
  });

  it("info names the parts a project cannot get in a warning", async () => {
    const market = JSON.parse(fs.readFileSync(path.join(mk.dir, ".claude-plugin/marketplace.json"), "utf8"));
    market.plugins.push({ name: "lsp-kit", source: "./plugins/lsp-kit", version: "1.0.0", description: "A language server" });
    mk.write(".claude-plugin/marketplace.json", market).write("plugins/lsp-kit/.lsp.json", { go: { command: "gopls" } });
    mk.write("plugins/lsp-kit/commands/fmt.md", "---\ndescription: Format\n---\nFormat.\n").commit("lsp-kit");
    const r = await sb.json(["info", "lsp-kit"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.notes).toEqual([expect.stringContaining("its LSP servers (.lsp.json) load only through Claude Code's own plugin install")]);
    const human = await sb.run(["info", "lsp-kit"]);
    expect(human.stderr).toMatch(/^warning plugin lsp-kit: its LSP servers/m);
  });
});
