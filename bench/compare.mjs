#!/usr/bin/env node
// Compares agentpkg builds on the benchmark's warm rows, to tell whether a start-up change pays (how the
// figures of docs/architecture.md "Start-up" were taken). Each run of a row runs every build once, and
// `node -e 0`, in an order that rotates from run to run, so all see the same machine load. Per build: the
// median wall time, and the median (quartiles) of its paired differences to the first build, in wall time
// and in CPU time (user + system of the node process, from cpu-probe.cjs). On a shared machine the CPU
// differences are the steadier figure; a difference inside its quartiles is noise.
//
//   node bench/compare.mjs [--runs N] [--only ROW,...] [--json FILE] NAME=LAUNCHER[,VAR=VALUE...] ...
//   e.g. node scripts/build.mjs --outdir .build/a && node bench/compare.mjs --runs 61 \
//          cached=.build/a/code-cache-launcher.cjs uncached=.build/a/code-cache-launcher.cjs,AGENTPKG_CODE_CACHE=0
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { agentName, restore, writeProject } from "./fixtures.mjs";
import { median } from "./measure.mjs";
import { Bench } from "./scenarios.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "41" }, only: { type: "string" }, json: { type: "string" } },
});
const runs = Math.max(1, Number(opt.runs) || 41);
const builds = positionals.map((spec) => {
  const [name, launcher, ...vars] = spec.split(/[=,]/);
  if (!launcher || vars.length % 2) throw new Error(`${spec}: expected NAME=LAUNCHER[,VAR=VALUE...]`);
  const env = {};
  for (let i = 0; i < vars.length; i += 2) env[vars[i]] = vars[i + 1];
  return { name, cmd: [process.execPath, path.resolve(launcher)], env };
});
if (builds.length < 2) {
  console.error("usage: node bench/compare.mjs [--runs N] [--only ROW,...] [--json FILE] NAME=LAUNCHER[,VAR=VALUE...] NAME=...  (two builds or more)");
  process.exit(2);
}
if (500 + (runs + 1) * builds.length > 1000) throw new Error(`--runs ${runs} x ${builds.length} builds: the warm install row has 500 agents to install`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-compare-"));
// each build gets a code cache folder of its own (unless its variables set one), in the temp dir
builds.forEach((x, i) => (x.env.AGENTPKG_CODE_CACHE ??= path.join(tmp, `code-cache-${i}`)));
const cpuFile = path.join(tmp, "cpu");
const log = (s) => process.stderr.write(`${s}\n`);
const b = new Bench({ tmp, bin: builds[0].cmd[1], runs, slowRuns: runs, log, inheritEnv: false });
const probeEnv = { NODE_OPTIONS: `--require ${path.join(HERE, "cpu-probe.cjs")}`, AGENTPKG_BENCH_CPU_FILE: cpuFile };
const wanted = (name) => !opt.only || opt.only.split(",").some((o) => name.includes(o));

/** One timed run: wall ms around the child, CPU ms as the child reported it. */
function timed(cmd, cwd, env) {
  fs.rmSync(cpuFile, { force: true });
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: { ...b.env, ...probeEnv, ...env }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status} in ${cwd}\n${r.stderr.slice(0, 2000)}`);
  return { wall, cpu: Number(fs.readFileSync(cpuFile, "utf8")) / 1000 };
}

/** `step(build, index, run)` returns { args, cwd, prepare? }; run -1 is the untimed warm-up (writes code caches). */
function compare(name, step) {
  const all = [...builds, { name: "node -e 0", baseline: true }];
  const samples = new Map(all.map((x) => [x.name, []]));
  for (let run = -1; run < runs; run++) {
    for (let k = 0; k < all.length; k++) {
      const x = all[(k + Math.max(run, 0)) % all.length];
      let s;
      if (x.baseline) s = timed([process.execPath, "-e", "0"], tmp, {});
      else {
        const { args, cwd, prepare } = step(x, builds.indexOf(x), run);
        prepare?.();
        s = timed([...x.cmd, ...args], cwd, x.env);
      }
      if (run >= 0) samples.get(x.name).push(s);
    }
  }
  const first = samples.get(builds[0].name);
  const spread = (xs) => {
    const s = [...xs].sort((p, q) => p - q);
    const at = (f) => round(s[Math.floor(f * (s.length - 1))]);
    return { median: round(median(s)), q1: at(0.25), q3: at(0.75) };
  };
  const row = { name, runs, builds: {} };
  for (const x of all) {
    const own = samples.get(x.name);
    row.builds[x.name] = {
      wallMs: round(median(own.map((s) => s.wall))),
      cpuMs: round(median(own.map((s) => s.cpu))),
      ...(x.baseline ? {} : { wallDiff: spread(own.map((s, i) => s.wall - first[i].wall)), cpuDiff: spread(own.map((s, i) => s.cpu - first[i].cpu)) }),
      samples: own.map((s) => ({ wall: round(s.wall), cpu: round(s.cpu) })),
    };
  }
  log(`  ${name} done`);
  return row;
}
const round = (x) => Math.round(x * 10) / 10;
const diff = (d) => `${d.median >= 0 ? "+" : ""}${d.median} [${d.q1}, ${d.q3}]`;

const rows = [];
try {
  log(`comparing ${builds.map((x) => x.name).join(", ")}: ${runs} runs per row, temp dir ${tmp}`);
  if (wanted("--version")) rows.push(compare("--version", () => ({ args: ["--version"], cwd: tmp })));
  const needsProject = ["warm install", "no-op sync", "no-op verify"].some(wanted);
  const installed = needsProject ? b.installedProject(500) : undefined; // also fills the warm registry cache
  if (wanted("warm install")) {
    const template = b.dir("project-empty");
    writeProject(template, b.registry(1000));
    rows.push(
      compare("warm install (1 agent)", (x, i, run) => {
        const project = b.dir(`warm-${i}`);
        return { args: ["install", agentName(500 + (run + 1) * builds.length + i)], cwd: project, prepare: () => restore(template, project) };
      }),
    );
  }
  for (const command of ["sync", "verify"]) {
    if (!wanted(`no-op ${command}`)) continue;
    builds.forEach((x, i) => restore(installed, b.dir(`${command}-${i}`)));
    rows.push(compare(`no-op ${command} (500 agents)`, (x, i) => ({ args: [command], cwd: b.dir(`${command}-${i}`) })));
  }
  console.log(`\nmedians of ${runs} runs; Δ = paired difference to ${builds[0].name}, median [quartiles], ms\n`);
  const lines = [["row", "build", "wall", "Δ wall", "cpu", "Δ cpu"]];
  for (const row of rows) {
    for (const [name, x] of Object.entries(row.builds)) {
      lines.push([name === builds[0].name ? row.name : "", name, `${x.wallMs}`, x.wallDiff ? diff(x.wallDiff) : "", `${x.cpuMs}`, x.cpuDiff ? diff(x.cpuDiff) : ""]);
    }
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  if (opt.json) fs.writeFileSync(opt.json, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, builds, rows }, null, 2)}\n`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
