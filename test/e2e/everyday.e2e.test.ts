// Everyday use (issue #18), through the built CLI: shell completion (real bash), the progress line (a real pty
// through `script`), where files went, --global under CLAUDE_CONFIG_DIR (checked with the real Claude Code
// where it is installed), shadowed agents, and what installed agents cost every conversation.
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentText, BIN, GitRepo, Sandbox, snapshot, type TestRegistry } from "./helpers.js";
import { kitMarketplace } from "./plugin-fixtures.js";
import { claudeCodeMissing, claudeMcpList, inventory } from "./claude-code.js";

let sb: Sandbox;
let team: TestRegistry;
let mk: GitRepo;
let twins: GitRepo;
const REVIEWER = agentText("reviewer", { description: "Reviews diffs for bugs", tools: "Read, Grep" });

beforeAll(async () => {
  sb = new Sandbox();
  team = sb.registry("team");
  team.publish("reviewer", [{ version: "1.0.0", content: REVIEWER }]);
  mk = kitMarketplace(sb.root);
  // two plugins that both define "reviewer": listed as alpha:reviewer and beta:reviewer
  twins = new GitRepo(sb.root, "twins");
  twins.write(".claude-plugin/marketplace.json", { name: "twins", owner: { name: "t" }, plugins: ["alpha", "beta"].map((n) => ({ name: n, source: `./plugins/${n}`, version: "1.0.0" })) });
  for (const n of ["alpha", "beta"]) twins.write(`plugins/${n}/agents/reviewer.md`, agentText("reviewer"));
  twins.commit("twins");
  for (const [name, url] of [["team", team.url], ["mk", mk.url], ["twins", twins.url]]) expect((await sb.run(["registry", "add", name!, url!])).code).toBe(0);
  expect((await sb.run(["install", "team/reviewer"])).code).toBe(0);
  // a binary named agentpkg on PATH, as the completion scripts call it
  sb.write("bin/agentpkg", `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`, sb.root);
  fs.chmodSync(path.join(sb.root, "bin/agentpkg"), 0o755);
});
afterAll(() => sb.cleanup());

/** Run the bash completion function as bash would, with COMP_WORDS/COMP_CWORD set; returns COMPREPLY. */
async function complete(words: string[], cwd = sb.project): Promise<string[]> {
  if (!fs.existsSync(path.join(sb.root, "completion.bash"))) sb.write("completion.bash", (await sb.run(["completion", "bash"])).stdout, sb.root);
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const r = await execa("bash", ["--norc", "-c", `source "$1"; COMP_WORDS=(agentpkg ${quoted}); COMP_CWORD=${words.length}; _agentpkg_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, "bash", path.join(sb.root, "completion.bash")], {
    cwd,
    env: { ...sb.env, PATH: `${path.join(sb.root, "bin")}:${sb.env.PATH}` },
    extendEnv: false,
  });
  return String(r.stdout).split("\n").filter(Boolean);
}

describe("shell completion", () => {
  it("sourcing the bash script registers it for agentpkg", async () => {
    sb.write("completion.bash", (await sb.run(["completion", "bash"])).stdout, sb.root);
    const r = await execa("bash", ["--norc", "-c", `source "$1"; complete -p agentpkg`, "bash", path.join(sb.root, "completion.bash")]);
    expect(String(r.stdout)).toBe("complete -o default -F _agentpkg_complete agentpkg");
    for (const shell of ["zsh", "fish"]) expect((await sb.run(["completion", shell])).stdout).toContain("agentpkg __complete --");
    expect((await sb.run(["completion", "tcsh"])).code).toBe(2);
  });

  it("completes commands, flags, registry names and subcommands", async () => {
    expect(await complete(["ins"])).toEqual(["install"]);
    expect(await complete(["install", "--dr"])).toEqual(["--dry-run"]);
    expect(await complete(["search", "--registry", "t"])).toEqual(["team", "twins"]);
    expect(await complete(["registry", "re"])).toEqual(["remove"]);
    expect(await complete(["completion", ""])).toEqual(["bash", "zsh", "fish"]);
  });

  it("completes installed names, and available ones from the cached indexes (plain, registry/, plugin:agent)", async () => {
    expect(await complete(["remove", ""])).toEqual(["reviewer"]);
    expect(await complete(["install", "rev"])).toEqual(["reviewer"]);
    expect(await complete(["install", "team/r"])).toEqual(["team/reviewer"]);
    expect(await complete(["install", "ki"])).toEqual(["kit"]);
    // bash splits alpha:rev at the colon; the function joins it back and answers the part after the colon
    expect(await complete(["install", "alpha", ":", "rev"])).toEqual(["reviewer"]);
    expect(await complete(["-C", "..", "remove", ""], path.join(sb.project, ".claude"))).toEqual(["reviewer"]);
  });

  it("never touches the network or the project: an unreachable, never fetched registry offers nothing, quickly", async () => {
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    manifest.registries.later = "https://127.0.0.1:9/never.git";
    sb.write(".claude/agentpkg.json", JSON.stringify(manifest, null, 2));
    const before = snapshot(sb.project);
    const started = Date.now();
    expect(await complete(["install", "rev"])).toEqual(["reviewer"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(snapshot(sb.project)).toEqual(before);
    delete manifest.registries.later;
    sb.write(".claude/agentpkg.json", JSON.stringify(manifest, null, 2));
  });
});

/** A command on a terminal: `script` gives it a pty (stdout and stderr both). */
async function onTerminal(args: string[], env: Record<string, string> = {}) {
  const cmd = ["node", BIN, ...args].map((a) => `'${a}'`).join(" ");
  const r = await execa("script", ["-qec", cmd, "/dev/null"], { cwd: sb.project, env: { ...sb.env, TERM: "xterm", ...env }, extendEnv: false, reject: false });
  return { code: r.exitCode, out: String(r.stdout) };
}

describe("the progress line", () => {
  const env = { AGENTPKG_PROGRESS_DELAY_MS: "0" };

  it("is drawn on a terminal while a registry is fetched and files are written, then erased", async () => {
    const r = await onTerminal(["-g", "registry", "add", "team", team.url], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\rregistry team: [^\r\n]*\u001b\[K/);
    expect(r.out).toContain("\r\u001b[K"); // erased before the result
    const install = await onTerminal(["-g", "install", "team/reviewer"], env);
    // the first state is drawn at once (no delay here); later ones at most every 100 ms
    expect(install.out).toMatch(/\rinstall: resolving versions\u001b\[K/);
    expect(install.out).toContain("wrote ~/.claude/agents/reviewer.md (user scope)");
  });

  afterAll(async () => void (await sb.run(["-g", "remove", "reviewer"])));

  it("is never drawn when piped, with --json or with --quiet", async () => {
    const piped = await sb.run(["-g", "upgrade"], { env });
    expect(piped.stderr).not.toContain("\u001b[K");
    expect(piped.stdout).not.toContain("\u001b[K");
    for (const args of [["-g", "upgrade", "--json"], ["-g", "upgrade", "--quiet"]]) expect((await onTerminal(args, env)).out).not.toContain("\u001b[K");
  });
});

describe("where things went", () => {
  it("names the project found above the folder agentpkg runs in", async () => {
    fs.mkdirSync(path.join(sb.project, "src/deep"), { recursive: true });
    const r = await sb.run(["install", "mk/solo"], { cwd: path.join(sb.project, "src/deep") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote .claude/agentpkg/plugins/solo/agents/solo.md, .claude/agents/solo/solo.md in ${sb.project} (the project found above this folder)`);
    expect((await sb.run(["remove", "solo"])).stdout).toMatch(/^deleted \.claude\/agentpkg\/plugins\/solo\/agents\/solo\.md, \.claude\/agents\/solo\/solo\.md$/m);
  });

  it("counts many files per folder", async () => {
    const r = await sb.run(["install", "--plugin", "mk/kit", "--yes", "--dry-run"]);
    expect(r.stdout).toMatch(/^would write \d+ files: \d+ in \.claude\/agentpkg\/plugins\/kit\/, 2 in \.claude\/agents\/kit\/, 2 in \.claude\/commands\/kit\/, 3 in \.claude\/skills\/alpha\/, 1 in \.claude\/skills\/beta-folder\/, \.claude\/settings\.json, \.mcp\.json$/m);
  });
});

describe("--global follows Claude Code's CLAUDE_CONFIG_DIR", () => {
  const cfg = () => path.join(sb.root, "claude-config");
  const inCfg = (args: string[]) => sb.run(["-g", ...args], { env: { CLAUDE_CONFIG_DIR: cfg() } });

  it("keeps the user scope's manifest, lock, parts, settings and MCP servers there, never in ~/.claude", async () => {
    const before = snapshot(path.join(sb.home, ".claude"));
    expect((await inCfg(["registry", "add", "mk", mk.url])).stdout).toContain(`saved in ${cfg()}/agentpkg.json`);
    const r = await inCfg(["install", "--plugin", "kit", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(user scope: CLAUDE_CONFIG_DIR=${cfg()})`);
    for (const f of ["agentpkg.json", "agentpkg.lock", "agents/kit/planner.md", "commands/kit/greet.md", "skills/alpha/SKILL.md", "agentpkg/plugins/kit/scripts/hello.sh"]) expect(fs.existsSync(path.join(cfg(), f))).toBe(true);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(cfg(), "settings.json"), "utf8")).hooks).sort()).toEqual(["PreToolUse", "SessionStart"]);
    expect(JSON.parse(fs.readFileSync(path.join(cfg(), ".claude.json"), "utf8")).mcpServers["kit-server"].args[0]).toBe(`${cfg()}/agentpkg/plugins/kit/scripts/server.js`);
    expect(snapshot(path.join(sb.home, ".claude"))).toEqual(before);
    expect(fs.existsSync(path.join(sb.home, ".claude.json"))).toBe(false);
    expect((await inCfg(["verify"])).code).toBe(0);
  });

  it("suggests commands with -g in hints and notes", async () => {
    const empty = await sb.run(["-g", "list"], { env: { CLAUDE_CONFIG_DIR: path.join(sb.root, "empty-config") } });
    expect(empty.stdout).toContain("try agentpkg -g install ml-engineer");
    const r = await inCfg(["remove", "nothing-here"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("agentpkg -g list");
  });

  describe.skipIf(claudeCodeMissing() !== undefined)(`the real Claude Code ${claudeCodeMissing() ? `(skipped: ${claudeCodeMissing()})` : ""}`, () => {
    it("loads the plugin's agents, commands, skills and hooks, and its MCP server, from CLAUDE_CONFIG_DIR", async () => {
      const anywhere = path.join(sb.root, "anywhere");
      fs.mkdirSync(anywhere, { recursive: true });
      const inv = await inventory(anywhere, undefined, { CLAUDE_CONFIG_DIR: cfg() });
      expect(inv.agents).toEqual(["inner", "planner"]);
      expect(inv.commands).toEqual(expect.arrayContaining(["kit:greet", "kit:sub:deep", "alpha", "beta-name"]));
      expect(inv.hooks).toEqual(["SessionStart success 0"]);
      expect(await claudeMcpList(anywhere, sb.home, { CLAUDE_CONFIG_DIR: cfg() })).toEqual([expect.stringMatching(/^kit-server: node .*claude-config\/agentpkg\/plugins\/kit\/scripts\/server\.js .*Connected/)]);
    }, 240_000);
  });

  it("removes it all again", async () => {
    expect((await inCfg(["remove", "kit"])).code).toBe(0);
    expect(fs.existsSync(path.join(cfg(), "agents/kit"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(cfg(), ".claude.json"), "utf8")).mcpServers ?? {}).toEqual({});
  });
});

describe("shadowed agents", () => {
  it("doctor and list name each agent a project agent hides, with both paths", async () => {
    sb.write(".claude/agents/my-reviewer.md", REVIEWER, sb.home); // a user agent of the same name
    const doctor = await sb.run(["doctor"]);
    expect(doctor.code).toBe(0); // a note: overriding a user agent is often meant
    expect(doctor.stdout).toContain(`project agent "reviewer" (.claude/agents/reviewer.md) hides the user agent of the same name (~/.claude/agents/my-reviewer.md)`);
    const list = await sb.json(["list"]);
    expect(list.data.shadowed).toEqual([{ name: "reviewer", file: ".claude/agents/reviewer.md", level: "project", hidden: "~/.claude/agents/my-reviewer.md", hiddenLevel: "user" }]);
    expect((await sb.run(["list"])).stdout).toContain('shadowed: ~/.claude/agents/my-reviewer.md (user agent "reviewer") is hidden by .claude/agents/reviewer.md (project)');
    fs.rmSync(path.join(sb.home, ".claude/agents/my-reviewer.md"));
  });
});

describe("context cost", () => {
  const tokens = (line: string) => Math.ceil((line.length + 1) / 4);

  it("list and info show each agent's always-loaded tokens, the plugin's, and the total", async () => {
    expect((await sb.run(["install", "--plugin", "mk/kit", "--yes"])).code).toBe(0);
    const list = await sb.json(["list"]);
    const reviewer = tokens("- reviewer: Reviews diffs for bugs (Tools: Read, Grep)");
    expect(list.data.agents.find((a: { name: string }) => a.name === "reviewer").contextTokens).toBe(reviewer);
    const kit = list.data.plugins.find((p: { name: string }) => p.name === "kit").contextTokens;
    // planner and inner (Tools: Read, Grep), kit:greet, kit:sub:deep, alpha (with no when_to_use), beta-folder
    const expected = [
      "- planner: Plans work (Tools: Read, Grep)",
      "- inner: An inner agent (Tools: Read, Grep)",
      "- kit:greet: Greets",
      "- kit:sub:deep: A nested command",
      "- alpha: Alpha skill. Use for alpha.",
      "- beta-folder: Beta skill. Use for beta.",
    ].reduce((n, l) => n + tokens(l), 0);
    expect(kit).toBe(expected);
    expect(list.data.contextTokens).toBe(reviewer + kit);
    expect((await sb.run(["list"])).stdout).toMatch(new RegExp(`always in context: ~${reviewer + kit} tokens for 1 agent and 1 plugin\\n.*characters / 4`));
    expect((await sb.json(["info", "team/reviewer"])).data.contextTokens).toBe(reviewer);
    expect((await sb.json(["info", "--plugin", "mk/kit"])).data.contextTokens).toBe(kit);
    expect((await sb.run(["info", "team/reviewer"])).stdout).toContain(`context (1.0.0): ~${reviewer} tokens in every conversation once installed`);
  });
});
