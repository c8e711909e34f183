import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, Sandbox, snapshot, type TestRegistry } from "./helpers.js";

let sb: Sandbox;
let reg: TestRegistry;
const NAMES = ["p", "q", "r", "s"];

beforeEach(() => {
  sb = new Sandbox();
  reg = sb.registry();
  for (const n of NAMES) reg.publish(n, [{ version: "1.0.0", content: agentText(n) }]);
});
afterEach(() => sb.cleanup());

const readJson = (dir: string, rel: string) => JSON.parse(fs.readFileSync(path.join(dir, rel), "utf8"));

describe("several agentpkg processes at once", () => {
  it("four simultaneous installs of different agents into one project end with one consistent lockfile", async () => {
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    const runs = await Promise.all(NAMES.map((n) => sb.run(["install", n])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const lock = readJson(sb.project, ".claude/agentpkg.lock");
    expect(Object.keys(lock.agents).sort()).toEqual(NAMES);
    expect(Object.keys(readJson(sb.project, ".claude/agentpkg.json").agents).sort()).toEqual(NAMES);
    for (const n of NAMES) expect(sb.file(`.claude/agents/${n}.md`)).toBe(agentText(n));
    expect(fs.readdirSync(path.join(sb.project, ".claude")).sort()).toEqual(["agentpkg.json", "agentpkg.lock", "agents"]);
    const doctor = await sb.json(["doctor"]);
    expect(doctor.data).toMatchObject({ healthy: true, findings: [] });
  });

  it("parallel installs in different projects share one cold cache safely, then one warm cache", async () => {
    const projects = NAMES.map((n) => {
      const dir = path.join(sb.root, `project-${n}`);
      fs.mkdirSync(path.join(dir, ".claude"), { recursive: true });
      fs.writeFileSync(path.join(dir, ".claude/agentpkg.json"), JSON.stringify({ registries: { team: reg.url }, agents: { [n]: "^1.0.0", p: "^1.0.0" } }));
      return { n, dir };
    });
    for (let round = 0; round < 2; round++) {
      if (round === 1) for (const { dir } of projects) fs.rmSync(path.join(dir, ".claude/agents"), { recursive: true });
      const runs = await Promise.all(projects.map(({ dir }) => sb.run(["install"], { cwd: dir })));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      for (const { n, dir } of projects) {
        expect(fs.readFileSync(path.join(dir, `.claude/agents/${n}.md`), "utf8")).toBe(agentText(n));
        expect(readJson(dir, ".claude/agentpkg.lock").agents[n]).toMatchObject({ version: "1.0.0", registry: "team" });
      }
    }
    const cacheGit = path.join(sb.env.XDG_CACHE_HOME!, "agentpkg", "git");
    expect(fs.readdirSync(cacheGit).filter((f) => !f.endsWith(".busy"))).toHaveLength(1);
  });

  it("a busy project makes the second process wait, then fail with a clear message and change nothing", async () => {
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    const lockDir = path.join(sb.project, ".claude/.agentpkg-busy");
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, "owner.json"), JSON.stringify({ pid: process.pid, host: os.hostname(), started: Date.now() }));
    const before = snapshot(sb.project);
    const r = await sb.run(["install", "p"], { env: { AGENTPKG_LOCK_WAIT_MS: "300" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another agentpkg process (pid ${process.pid}) is working on`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(sb.project)).toEqual(before);
  });

  it("a lock left by a killed process is taken over", async () => {
    expect((await sb.run(["registry", "add", "team", reg.url])).code).toBe(0);
    const lockDir = path.join(sb.project, ".claude/.agentpkg-busy");
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, "owner.json"), JSON.stringify({ pid: 4194999, host: os.hostname(), started: Date.now() }));
    const doctor = await sb.json(["doctor"]);
    expect(doctor.code).toBe(4);
    expect(doctor.data.findings).toEqual([expect.objectContaining({ kind: "stale-lock" })]);
    const r = await sb.run(["install", "p"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(lockDir)).toBe(false);
  });
});
