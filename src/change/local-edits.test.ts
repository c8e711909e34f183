import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, tempDir, TestRegistry } from "../../test/e2e/helpers.js";
import type { Deps, PromptFn } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { openContext } from "./context.js";
import { preparePlan } from "./prepare.js";
import type { Plan } from "../plan/plan.js";
import { changePrompts } from "../cli/prompts.js";
import { desiredLock } from "./desired-lock.js";
import { resolveAgent } from "./resolve-agent.js";
import { settleLocalEdits } from "./local-edits.js";
import { runInstall } from "../operations/install.js";
import { runUpgrade } from "../operations/upgrade.js";

const FILE = ".claude/agents/x.md";
const BODY = "You are x.\n\nLine one.\nLine two.\nLine three.\nLine four.\nLine five.\nLine six.\n";
const V1 = agentText("x", { body: BODY });
const V11 = agentText("x", { body: BODY.replace("Line six.", "Line six, upstream.") });
const MINE = V1.replace("Line one.", "Line one, mine.");

let root: string;
let project: string;
let reg: TestRegistry;
let err: string[];
let asked: { question: string; keys: string[] }[];

/** Deps for a terminal session whose answers are scripted; an unexpected question fails the test. */
function depsWith(answers: string[] | PromptFn | undefined, interactive = true): Deps {
  const prompt: PromptFn | undefined =
    typeof answers === "function" || answers === undefined
      ? answers
      : async (question, choices) => {
          asked.push({ question, keys: choices.map((c) => c.key) });
          const a = answers.shift();
          if (a === undefined) throw new Error(`unexpected question: ${question}`);
          return a;
        };
  return {
    cwd: project,
    home: path.join(root, "home"),
    env: { PATH: process.env.PATH, AGENTPKG_CACHE: path.join(root, "cache"), AGENTPKG_REGISTRY_TTL: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    io: { out: () => {}, err: (t) => void err.push(t), isTTY: interactive, interactive, color: false },
    prompt,
    setExitCode: () => {},
  };
}

/** The plan `upgrade x` would settle: x from the locked 1.0.0 to the newest version. */
async function upgradePlan(deps: Deps) {
  const ctx = await openContext({}, deps, "always");
  const dep = ctx.files.manifest.agents.x!;
  const target = (await resolveAgent(ctx.registries, "x", dep)).entry;
  const plan = await preparePlan(ctx, ctx.files.manifest, await desiredLock(ctx, ctx.files.manifest, { agents: new Map([["x", target]]) }));
  return { ctx, plan, prompts: changePrompts(deps) };
}

const file = () => fs.readFileSync(path.join(project, FILE), "utf8");
const lock = () => JSON.parse(fs.readFileSync(path.join(project, ".claude/agentpkg.lock"), "utf8"));

beforeEach(async () => {
  root = tempDir("agentpkg-unit-");
  project = path.join(root, "project");
  fs.mkdirSync(path.join(project, ".claude"), { recursive: true });
  reg = new TestRegistry(root);
  reg.publish("x", [{ version: "1.0.0", content: V1 }]);
  fs.writeFileSync(path.join(project, ".claude/agentpkg.json"), JSON.stringify({ registries: { team: reg.url }, agents: {} }));
  err = [];
  asked = [];
  await runInstall({ specs: ["x"] }, depsWith(undefined, false));
  fs.writeFileSync(path.join(project, FILE), MINE);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("settleLocalEdits with a prompt", () => {
  beforeEach(() => void reg.publish("x", [{ version: "1.1.0", content: V11 }]));

  it("d shows the local diff, then k keeps the file and the old lock entry", async () => {
    const { ctx, plan, prompts } = await upgradePlan(depsWith(["d", "k"]));
    const settled = await settleLocalEdits(ctx, plan, "prompt", prompts);
    expect(asked).toHaveLength(2);
    expect(asked[0]!.question).toBe(`${FILE} (modified: +1 -1): what now?`);
    expect(asked[0]!.keys).toEqual(["k", "o", "m", "d"]);
    expect(err.join("\n")).toContain("-Line one.\n+Line one, mine.");
    expect(settled.steps).toEqual([expect.objectContaining({ name: "x", resolution: "keep" })]);
    expect(settled.lock.agents.x).toEqual(ctx.files.lock.agents.x);
    expect(settled.lockChanged).toBe(false);
    expect(settled.conflicts).toEqual([]);
  });

  it("o takes theirs: the step overwrites and the lock moves to 1.1.0", async () => {
    const { ctx, plan, prompts } = await upgradePlan(depsWith(["o"]));
    const settled = await settleLocalEdits(ctx, plan, "prompt", prompts);
    expect(settled.steps[0]).toMatchObject({ resolution: "overwrite" });
    expect(settled.lock.agents.x).toMatchObject({ version: "1.1.0", sha256: sha256(V11) });
    expect(settled.lock.agents.x!.localSha256).toBeUndefined();
  });

  it("m merges cleanly: both edits in the text to write, the lock records its hash", async () => {
    const { ctx, plan, prompts } = await upgradePlan(depsWith(["m"]));
    const settled = await settleLocalEdits(ctx, plan, "prompt", prompts);
    const merged = settled.merged.get(FILE)!.toString("utf8");
    expect(merged).toBe(V11.replace("Line one.", "Line one, mine."));
    expect(settled.lock.agents.x).toMatchObject({ version: "1.1.0", localSha256: sha256(merged) });
    expect(settled.conflicts).toEqual([]);
  });

  it("m on the same line as upstream yields a conflict to write next to the file", async () => {
    reg.publish("x", [{ version: "1.2.0", content: V1.replace("Line one.", "Line one, upstream.") }]);
    const { ctx, plan, prompts } = await upgradePlan(depsWith(["m"]));
    const settled = await settleLocalEdits(ctx, plan, "prompt", prompts);
    expect(settled.conflicts).toHaveLength(1);
    expect(settled.conflicts[0]).toMatchObject({ name: "x", file: FILE, conflictFile: `${FILE}.conflict` });
    expect(settled.conflicts[0]!.text.toString("utf8")).toMatch(/<<<<<<< local\nLine one, mine\.\n\|\|\|\|\|\|\| 1\.0\.0\nLine one\.\n=======\nLine one, upstream\.\n>>>>>>> 1\.2\.0/);
  });

  it("an untracked file in the way offers no merge", async () => {
    fs.writeFileSync(path.join(project, ".claude/agents/y.md"), agentText("y", { body: "mine\n" }));
    reg.publish("y", [{ version: "1.0.0", content: agentText("y") }]);
    const deps = depsWith(["k"]);
    const ctx = await openContext({}, deps, "always");
    const manifest = { ...ctx.files.manifest, agents: { ...ctx.files.manifest.agents, y: { range: "^1.0.0" } } };
    const y = (await resolveAgent(ctx.registries, "y", { range: "^1.0.0" })).entry;
    const plan: Plan = await preparePlan(ctx, manifest, await desiredLock(ctx, manifest, { agents: new Map([["y", y]]) }));
    const settled = await settleLocalEdits(ctx, plan, "prompt", changePrompts(deps));
    expect(asked.map((a) => a.question)).toContain(".claude/agents/y.md (not installed by agentpkg): what now?");
    expect(asked.find((a) => a.question.includes("y.md"))!.keys).toEqual(["k", "o", "d"]);
    expect(settled.steps.find((s) => s.name === "y")).toMatchObject({ op: "add", local: "untracked", resolution: "keep" });
    expect(settled.lock.agents.y).toBeUndefined();
  });

  it("without a prompt function, prompt mode refuses like a non-interactive run", async () => {
    const { ctx, plan, prompts } = await upgradePlan(depsWith(undefined));
    const e = await settleLocalEdits(ctx, plan, "prompt", prompts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AgentpkgError);
    expect(e).toMatchObject({ code: "E_LOCAL_EDITS", exitCode: 3, details: [`${FILE} (modified: +1 -1)`] });
  });
});

/** `agentpkg upgrade` as the cli runs it on a terminal: the prompts come from deps. */
const upgradeOnTerminal = (deps: Deps) => runUpgrade({ names: [], prompts: changePrompts(deps) }, deps);

describe("upgrade on a terminal (whole pipeline, prompt injected)", () => {
  it("asks per file, then applies the merge", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11 }]);
    const r = await upgradeOnTerminal(depsWith(["m"]));
    expect(r.applied).toBe(true);
    expect(file()).toBe(V11.replace("Line one.", "Line one, mine."));
    expect(lock().agents.x).toMatchObject({ version: "1.1.0", localSha256: sha256(file()) });
  });

  it("asks to confirm a permission change; no leaves everything as it was", async () => {
    const bash = agentText("x", { body: BODY, tools: "Read, Grep, Bash" });
    reg.publish("x", [{ version: "1.1.0", content: bash }]);
    const lockBefore = lock();
    const e = await upgradeOnTerminal(depsWith(["o", "n"])).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "E_PERMISSIONS", exitCode: 3 });
    expect(asked.map((a) => a.question)).toEqual([`${FILE} (modified: +1 -1): what now?`, "Apply them?"]);
    expect(err.join("\n")).toContain("Bash can run any shell command");
    expect(file()).toBe(MINE);
    expect(lock()).toEqual(lockBefore);
    expect(fs.existsSync(path.join(project, `${FILE}.orig`))).toBe(false);

    asked = [];
    const r = await upgradeOnTerminal(depsWith(["o", "y"]));
    expect(r.applied).toBe(true);
    expect(r.backups).toEqual([`${FILE}.orig`]);
    expect(file()).toBe(bash);
    expect(fs.readFileSync(path.join(project, `${FILE}.orig`), "utf8")).toBe(MINE);
  });

  it("a prompt that fails (stdin closed) changes nothing", async () => {
    reg.publish("x", [{ version: "1.1.0", content: V11 }]);
    const closed: PromptFn = async () => {
      throw new AgentpkgError("E_USAGE", "no answer", { exitCode: 3 });
    };
    const lockBefore = lock();
    await expect(upgradeOnTerminal(depsWith(closed))).rejects.toMatchObject({ exitCode: 3 });
    expect(file()).toBe(MINE);
    expect(lock()).toEqual(lockBefore);
  });
});
