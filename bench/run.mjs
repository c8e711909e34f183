#!/usr/bin/env node
// agentpkg benchmark (npm run bench): synthetic git registries and projects in a temp dir, no network.
// Prints medians with their ratio to a baseline and peak RSS; --json FILE also writes the results.
//
//   node bench/run.mjs [--json FILE] [--runs N] [--bin PATH] [--only SUBSTRING,...] [--no-growth] [--inherit-env] [--keep]
//                      [--scale 1000,10000,100000 | --no-scale]
//
// `--only` picks rows by substring of their names: `--only "scale search"` (the scale rows are named
// "scale cold N", "scale search N", "scale info N", "scale sync 5000", "scale verify 5000",
// "scale from-lock 5000", "scale wire N" for N in the sizes and 20000, "scale wire 20000 registry.json only"); `--only scale --scale 1000,10000` runs the scale rows without the 100k ones.
//
// Every row runs interleaved with its baseline (baseline, command, baseline, command ...) after one
// untimed warm-up, so both see the same machine load; untimed steps between runs reset the project or
// empty the cache. Wall time is measured around each child process; peak RSS comes from GNU time's %M
// (see measure.mjs). Fixtures are real git repositories built with git fast-import, served by file:// urls.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { memoryMethod } from "./measure.mjs";
import { growthTable, jsonDocument, mainTable } from "./report.mjs";
import { peerRows } from "./peers.mjs";
import { SCALE_SIZES, scaleRows, scaleWireRows } from "./scale.mjs";
import { wireTable } from "./wire.mjs";
import { Bench, coldInstallRow, longMarketplaceRow, noopRow, upgradeRow, versionRow, warmInstallRow } from "./scenarios.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    json: { type: "string" },
    runs: { type: "string", default: "11" },
    bin: { type: "string", default: path.join(REPO, ".build", "bench", "code-cache-launcher.cjs") },
    only: { type: "string" },
    "no-growth": { type: "boolean", default: false },
    scale: { type: "string" },
    "no-scale": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "inherit-env": { type: "boolean", default: false },
  },
});

const runs = Math.max(1, Number(opt.runs) || 11);
const bin = path.resolve(opt.bin);
if (!fs.existsSync(bin)) {
  console.error(`error no agentpkg build at ${bin}\nhint: node scripts/build.mjs --outdir .build/bench (npm run bench does this)`);
  process.exit(1);
}
const log = (s) => process.stderr.write(`${s}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-bench-"));
const b = new Bench({ tmp, bin, runs, slowRuns: Math.max(1, Math.round((runs * 5) / 11)), log, inheritEnv: opt["inherit-env"] });
b.repoRoot = REPO;
const started = Date.now();
const wanted = (name) => !opt.only || opt.only.split(",").some((o) => name.includes(o));

const ROWS = [
  ["--version", () => versionRow(b)],
  ["warm install", () => warmInstallRow(b)],
  ["no-op sync", () => noopRow(b, "sync", 500, { target: 3 })],
  ["no-op verify", () => noopRow(b, "verify", 500, { target: 3 })],
  ["cold install", () => coldInstallRow(b, 1000, 1, { target: 1.3 })],
  ["cold install vs bare", () => coldInstallRow(b, 1000, 1, { minimal: true, name: "cold install (1 agent) vs bare clone" })],
  ["install 100", () => coldInstallRow(b, 1000, 100)],
  ["upgrade 100", () => upgradeRow(b, 100)],
  ["long marketplace", () => longMarketplaceRow(b)],
  ["peers", () => peerRows(b)],
];
const SIZES = [10, 100, 1000];
const GROWTH = [
  ["cold install of 1 agent, registry of N agents x 10 versions", (n) => coldInstallRow(b, n, 1, { name: `cold install (registry of ${n})` })],
  ["no-op install of a project with N agents", (n) => noopRow(b, "install", n, { runs: b.slowRuns })],
  ["no-op verify of a project with N agents", (n) => noopRow(b, "verify", n, { runs: b.slowRuns })],
];

try {
  log(`agentpkg bench: ${bin}\n  temp dir ${tmp}; ${runs} runs (${b.slowRuns} for slow rows); memory: ${memoryMethod}`);
  const rows = [];
  const wire = [];
  for (const [name, fn] of ROWS) if (wanted(name)) rows.push(...[fn()].flat());
  if (!opt["no-scale"]) {
    const sizes = opt.scale ? opt.scale.split(",").map(Number).filter((n) => n > 0) : SCALE_SIZES;
    rows.push(...scaleRows(b, sizes, wanted));
    wire.push(...scaleWireRows(b, sizes, wanted));
  }
  const growth = [];
  if (!opt["no-growth"]) {
    for (const [name, fn] of GROWTH) {
      if (!wanted(name)) continue;
      const points = SIZES.map((n) => fn(n));
      growth.push(points.some((p) => p.missing) ? { name, missing: true } : { name, points: points.map((p, i) => ({ agents: SIZES[i], ...p })) });
    }
  }
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  const cpus = os.cpus();
  console.log(`\nagentpkg benchmark — ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, Node ${process.version}, medians of ${runs} runs (${b.slowRuns} for cold/100-agent rows)\n`);
  console.log(mainTable(rows));
  if (growth.length) console.log(`\n${growthTable(growth, SIZES)}`);
  if (wire.length) console.log(`\n${wireTable(wire)}`);
  console.log(`\npeak RSS: ${memoryMethod}; target < 100 MB. Total ${totalSeconds} s.`);
  if (opt.json) {
    fs.mkdirSync(path.dirname(path.resolve(opt.json)), { recursive: true });
    fs.writeFileSync(opt.json, JSON.stringify({ ...jsonDocument({ rows, growth, sizes: SIZES, memoryMethod, runs, totalSeconds }), wire }, null, 2) + "\n");
    console.log(`results written to ${opt.json}`);
  }
} finally {
  if (opt.keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
