import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom, seedFromEnv } from "../seeded-random.js";
import { agentText, BIN, git, Sandbox, sha256 } from "./helpers.js";

// kill -9 a 100-agent upgrade (and the downgrade back) at random moments; after every kill each agent file
// must be exactly its old or new content, and after the next run lock and disk must agree again.
// The moments come from a seeded PRNG: AGENTPKG_CRASH_SEED=<n> replays a run's choices (the seed is printed).
// Where a kill lands still depends on timing, so a replay makes the same choices, not the same kills.
const SEED = seedFromEnv("AGENTPKG_CRASH_SEED", 20260101);
const AGENTS = Array.from({ length: 100 }, (_, i) => `a${String(i).padStart(2, "0")}`);
const EDITED = "a07";
const BUDGET_MS = 40_000;
const MIN_ITERATIONS = 12;
const MAX_ITERATIONS = 25;

const body = (name: string, v: string) =>
  Array.from({ length: 60 }, (_, i) => `${name} v${v} line ${i}: ${"abcdefghij".repeat(4)}`).join("\n") + "\n";
const content = (name: string, v: string) => agentText(name, { body: body(name, v) });
const EDITED_TEXT = content(EDITED, "1.0.0") + "my local tweak\n";

let sb: Sandbox;
let agentsDir: string;

/** One commit holding 100 agents x 2 versions (TestRegistry.publish would make 100 commits). */
function bigRegistry(): string {
  const dir = path.join(sb.root, "big-registry");
  fs.mkdirSync(dir);
  git(dir, ["init", "-q", "-b", "main"]);
  const agents: Record<string, unknown> = {};
  for (const name of AGENTS) {
    const versions: Record<string, unknown> = {};
    for (const v of ["1.0.0", "2.0.0"]) {
      fs.mkdirSync(path.join(dir, "agents", name), { recursive: true });
      fs.writeFileSync(path.join(dir, "agents", name, `${v}.md`), content(name, v));
      versions[v] = { path: `agents/${name}/${v}.md`, sha256: sha256(content(name, v)) };
    }
    agents[name] = { description: `${name} agent`, versions, tags: {} };
  }
  fs.writeFileSync(path.join(dir, "registry.json"), JSON.stringify({ name: "big", agents }, null, 2));
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "publish"]);
  return dir;
}

/**
 * Run the CLI and SIGKILL it after `ms`, or after `events` changes in .claude/agents (counted from the
 * start, or from the moment the journal appears with `afterJournal`: the renames), whichever comes first.
 */
function runAndKill(args: string[], o: { events: number; ms: number; afterJournal?: boolean }): Promise<{ killed: boolean; journalSeen: boolean }> {
  return new Promise((resolve) => {
    const child = spawn("node", [BIN, ...args], { cwd: sb.project, env: sb.env, stdio: "ignore" });
    let seen = 0;
    let counting = !o.afterJournal;
    let killed = false;
    const kill = () => {
      if (killed || child.exitCode !== null) return;
      killed = child.kill("SIGKILL");
    };
    const watcher = fs.watch(agentsDir, () => {
      if (counting && ++seen >= o.events) kill();
    });
    const journalWatcher = fs.watch(path.join(sb.project, ".claude"), (_e, f) => {
      if (f === ".agentpkg-journal.json" && !counting) {
        counting = true;
        if (o.events <= 0) kill();
      }
    });
    const timer = setTimeout(kill, o.ms);
    child.on("exit", () => {
      clearTimeout(timer);
      watcher.close();
      journalWatcher.close();
      resolve({ killed, journalSeen: fs.existsSync(path.join(sb.project, ".claude/.agentpkg-journal.json")) });
    });
  });
}

function readAgent(name: string): string {
  return fs.readFileSync(path.join(agentsDir, `${name}.md`), "utf8");
}

/** Never torn: each file is exactly one of its versions (the edited one is never touched). */
function expectOldOrNew(): void {
  const mds = fs.readdirSync(agentsDir).filter((f) => f.endsWith(".md")).sort();
  expect(mds).toEqual(AGENTS.map((a) => `${a}.md`));
  for (const name of AGENTS) {
    const text = readAgent(name);
    if (name === EDITED) expect(text).toBe(EDITED_TEXT);
    else expect([content(name, "1.0.0"), content(name, "2.0.0")]).toContain(text);
  }
}

/** Lock and disk agree for every entry, the manifest lists exactly the locked agents, nothing is left over. */
function expectAgreement(): void {
  const lock = JSON.parse(fs.readFileSync(path.join(sb.project, ".claude/agentpkg.lock"), "utf8"));
  const manifest = JSON.parse(fs.readFileSync(path.join(sb.project, ".claude/agentpkg.json"), "utf8"));
  expect(Object.keys(lock.agents).sort()).toEqual(AGENTS);
  expect(Object.keys(manifest.agents).sort()).toEqual(AGENTS);
  for (const name of AGENTS) {
    const disk = sha256(readAgent(name));
    if (name === EDITED) expect(readAgent(name)).toBe(EDITED_TEXT);
    else expect(disk, name).toBe(lock.agents[name].sha256);
  }
  const claude = fs.readdirSync(path.join(sb.project, ".claude"));
  expect(claude.filter((f) => f.includes("agentpkg-tmp") || f.includes("journal") || f.includes("busy"))).toEqual([]);
  expect(fs.readdirSync(agentsDir).filter((f) => !f.endsWith(".md"))).toEqual([]);
}

beforeAll(async () => {
  sb = new Sandbox();
  const reg = bigRegistry();
  expect((await sb.run(["registry", "add", "big", reg])).code).toBe(0);
  const r = await sb.run(["install", ...AGENTS.map((a) => `${a}@1.0.0`)]);
  expect(r.code, r.stderr).toBe(0);
  agentsDir = path.join(sb.project, ".claude/agents");
  fs.writeFileSync(path.join(agentsDir, `${EDITED}.md`), EDITED_TEXT);
}, 120_000);
afterAll(() => sb.cleanup());

describe("kill -9 during a 100-agent upgrade", () => {
  it("never leaves a torn file, and the next run brings lock and disk back in agreement", async () => {
    const toV2 = ["upgrade", "--latest", "--keep"];
    const toV1 = ["install", "--keep", ...AGENTS.map((a) => `${a}@1.0.0`)];
    // an uninterrupted upgrade: how long one takes, and how many changes it makes in the agents folder
    const t0 = Date.now();
    const full = await runAndKill(toV2, { events: Number.POSITIVE_INFINITY, ms: 60_000 });
    const fullMs = Date.now() - t0;
    expect(full.killed).toBe(false);
    expectOldOrNew();
    expectAgreement();
    expect(AGENTS.filter((a) => a !== EDITED).every((a) => readAgent(a) === content(a, "2.0.0"))).toBe(true);

    console.log(`crash test: seed ${SEED} (replay with AGENTPKG_CRASH_SEED=${SEED})`);
    const random = seededRandom(SEED);
    const start = Date.now();
    const stats = { iterations: 0, killed: 0, midApply: 0, mixed: 0 };
    for (let i = 0; i < MAX_ITERATIONS && (i < MIN_ITERATIONS || Date.now() - start < BUDGET_MS); i++) {
      const args = i % 2 === 0 ? toV1 : toV2;
      // half the kills land anywhere in the run; a quarter after a random number of changes in the agents
      // folder (staging temps, then renames); a quarter during the renames, once the journal is written
      const below = (n: number) => Math.floor(random() * n);
      const plans = [
        { events: Number.POSITIVE_INFINITY, ms: random() * fullMs * 1.1 },
        { events: 1 + below(400), ms: fullMs * 3 },
        { events: below(150), ms: fullMs * 3, afterJournal: true },
      ];
      const plan = plans[i % 4 < 2 ? 0 : i % 4 === 2 ? 1 : 2]!;
      const r = await runAndKill(args, plan);
      stats.iterations++;
      if (r.killed) stats.killed++;
      if (r.journalSeen) stats.midApply++;
      expectOldOrNew();
      const versions = new Set(AGENTS.filter((a) => a !== EDITED).map((a) => readAgent(a) === content(a, "1.0.0")));
      if (versions.size > 1) stats.mixed++;
      // every fifth time, leave the interrupted change for the next (killed) run: recovery itself gets killed too
      if (i % 5 === 4) continue;
      const next = i % 3 === 0 ? await sb.run(["install", "--keep"]) : await sb.run(["doctor", "--fix"]);
      expect(next.code, next.stderr + next.stdout).toBe(0);
      expectOldOrNew();
      expectAgreement();
    }
    // eslint-disable-next-line no-console
    console.log(`crash test: seed ${SEED}, ${JSON.stringify(stats)}, full upgrade ${fullMs} ms`);
    expect(stats.iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
    expect(stats.killed).toBeGreaterThan(0);
    expect(stats.midApply, "no kill landed while a change was half-applied").toBeGreaterThan(0);
    expect((await sb.run(["doctor", "--fix"])).code).toBe(0);
    expectAgreement();
    const doctor = await sb.json(["doctor"]);
    expect(doctor.code).toBe(0);
    expect(doctor.data.findings).toEqual([expect.objectContaining({ kind: "modified", file: `.claude/agents/${EDITED}.md` })]);
  }, 180_000);
});
