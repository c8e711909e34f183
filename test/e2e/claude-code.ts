// The real Claude Code, asked offline what it loads in a project (../shared/tools/claude-code-inventory).
// Tests never install it (no network): CI's .ci/run installs it first; elsewhere such tests skip, saying so.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa, execaSync } from "execa";
import { REPO_ROOT } from "./helpers.js";

/** The clone's folder: for a linked worktree (git worktree add), the main clone's, beside which the shared tools sit. */
function cloneDir(): string {
  const common = execaSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: REPO_ROOT, reject: false });
  return common.exitCode === 0 && path.basename(String(common.stdout).trim()) === ".git" ? path.dirname(String(common.stdout).trim()) : REPO_ROOT;
}
const TOOL = process.env.CC_INVENTORY ?? path.join(cloneDir(), "..", "shared", "tools", "claude-code-inventory");
/** Where .ci/run installed Claude Code: the tool's default for the user running the tests. */
export const CC_DIR = process.env.CC_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "claude-code-2.1.197");
const CLAUDE = path.join(CC_DIR, "node_modules", ".bin", "claude");

/** Why Claude Code tests cannot run here, or undefined when they can. */
export function claudeCodeMissing(): string | undefined {
  if (!fs.existsSync(TOOL)) return `no ${TOOL} (the shared tools sit beside the repository in CI)`;
  if (!fs.existsSync(CLAUDE)) return `Claude Code is not installed in ${CC_DIR} (.ci/run installs it; run ${TOOL} once without CC_NO_INSTALL)`;
  return undefined;
}

export interface Inventory {
  agents: string[];
  commands: string[];
  hooks: string[];
  skills: number;
}

/** Claude Code's built-in agents and commands, which every inventory has (an empty project's). */
let builtins: Promise<Inventory> | undefined;

async function raw(dir: string, home?: string, env: Record<string, string> = {}): Promise<Inventory> {
  const r = await execa(TOOL, [dir], { env: { CC_NO_INSTALL: "1", CC_DIR, ...(home ? { CC_HOME: home } : {}), ...env }, reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`claude-code-inventory failed (${r.exitCode}): ${r.stderr}`);
  const inv: Inventory = { agents: [], commands: [], hooks: [], skills: 0 };
  for (const line of String(r.stdout).split("\n")) {
    const [kind, ...rest] = line.split("\t");
    if (kind === "agent") inv.agents.push(rest[0]!);
    else if (kind === "command") inv.commands.push(rest[0]!);
    else if (kind === "hook") inv.hooks.push(rest.join(" "));
    else if (kind === "skills") inv.skills = Number(rest[0]);
  }
  return inv;
}

/**
 * What Claude Code loads in `dir` beyond its built-ins, sorted. `home`: a HOME where `claude plugin ...` ran;
 * `env`: more of Claude Code's environment (CLAUDE_CONFIG_DIR).
 */
export async function inventory(dir: string, home?: string, env?: Record<string, string>): Promise<Inventory> {
  builtins ??= raw(fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-cc-empty-")));
  const [base, inv] = await Promise.all([builtins, raw(dir, home, env)]);
  return {
    agents: inv.agents.filter((a) => !base.agents.includes(a)).sort(),
    commands: inv.commands.filter((c) => !base.commands.includes(c)).sort(),
    hooks: inv.hooks.sort(),
    skills: inv.skills - base.skills,
  };
}

/** Claude Code's own `claude plugin install PLUGIN@MARKETPLACE --scope project` in `project`, with its own HOME. */
export async function claudePluginInstall(project: string, marketplaceDir: string, marketplace: string, plugin: string): Promise<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-cc-home-"));
  const env = { HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", PATH: process.env.PATH ?? "" };
  const run = (args: string[]) => execa(CLAUDE, args, { cwd: project, env, extendEnv: false, timeout: 120_000 });
  await run(["plugin", "marketplace", "add", marketplaceDir]);
  await run(["plugin", "install", `${plugin}@${marketplace}`, "--scope", "project"]);
  return home;
}

/** `claude mcp list` in `dir`, offline, with `home` as HOME: one line per server Claude Code sees. */
export async function claudeMcpList(dir: string, home: string, extra: Record<string, string> = {}): Promise<string[]> {
  const env = { HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", PATH: process.env.PATH ?? "", ...extra };
  const r = await execa(CLAUDE, ["mcp", "list"], { cwd: dir, env, extendEnv: false, reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`claude mcp list failed (${r.exitCode}): ${r.stderr}`);
  return String(r.stdout).split("\n").filter((l) => /^\S+: /.test(l));
}
