// Timing and peak-memory measurement of child processes for the benchmark.
//
// Wall time: process.hrtime around a synchronous spawn (the same wrapper for a row and its baseline).
// Peak RSS: GNU time's %M (the largest resident set of any single process in the child's tree, in KiB)
// when /usr/bin/time exists; otherwise a preload (rss-probe.cjs, via NODE_OPTIONS) makes every node
// child report process.resourceUsage().maxRSS at exit, and non-node commands report no memory.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const GNU_TIME = "/usr/bin/time";
const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "rss-probe.cjs");

function hasGnuTime() {
  if (!fs.existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" });
  return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
}

const useGnuTime = hasGnuTime();
export const memoryMethod = useGnuTime ? "GNU time %M (max RSS of the process tree's largest process)" : "node preload reporting process.resourceUsage().maxRSS (node processes only)";
const rssFile = path.join(os.tmpdir(), `agentpkg-bench-rss-${process.pid}`);
process.on("exit", () => fs.rmSync(rssFile, { force: true }));

/**
 * Run one command; returns { ms, rssKB, code, stdout, stderr }. `cmd` is an argv array.
 * Throws when the command exits non-zero unless `allowFail`.
 */
export function runOnce(cmd, o) {
  fs.rmSync(rssFile, { force: true });
  const env = { ...o.env };
  let argv = cmd;
  if (useGnuTime) argv = [GNU_TIME, "-f", "%M", "-o", rssFile, ...cmd];
  else env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${PROBE}`.trim();
  if (!useGnuTime) env.AGENTPKG_BENCH_RSS_FILE = rssFile;
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: o.cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  const code = r.status ?? -1;
  if (code !== 0 && !o.allowFail) {
    throw new Error(`${cmd.join(" ")} exited ${code}\n${(r.stderr || r.stdout || "").slice(0, 2000)}`);
  }
  return { ms, rssKB: readRss(), code, stdout: r.stdout, stderr: r.stderr };
}

function readRss() {
  let text;
  try {
    text = fs.readFileSync(rssFile, "utf8");
  } catch {
    return null;
  }
  // GNU time prefixes "Command exited with non-zero status N" on failure; the figure is the last line
  const nums = text.trim().split("\n").map((l) => Number(l.trim())).filter((n) => Number.isFinite(n) && n > 0);
  return nums.length ? Math.max(...nums) : null;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Measure a command against its baseline, interleaved run by run so both see the same machine load.
 * `cmd` is an argv array or a function of the run index. `prepare(i)` / `prepareBaseline(i)` run untimed before each run (reset a project, empty a cache).
 * Returns medians of time and the peak RSS seen over all runs.
 */
export function measurePair(spec) {
  const runs = spec.runs;
  const cmdTimes = [];
  const baseTimes = [];
  let cmdRss = null;
  let baseRss = null;
  for (let i = 0; i < runs + (spec.warmup ?? 1); i++) {
    const counted = i >= (spec.warmup ?? 1);
    spec.prepareBaseline?.(i);
    const b = runOnce(spec.baseline.cmd, spec.baseline);
    spec.prepare?.(i);
    const c = runOnce(typeof spec.cmd === "function" ? spec.cmd(i) : spec.cmd, spec);
    spec.check?.(c, i);
    if (!counted) continue;
    baseTimes.push(b.ms);
    cmdTimes.push(c.ms);
    if (b.rssKB !== null) baseRss = Math.max(baseRss ?? 0, b.rssKB);
    if (c.rssKB !== null) cmdRss = Math.max(cmdRss ?? 0, c.rssKB);
  }
  const ms = median(cmdTimes);
  const baselineMs = median(baseTimes);
  return {
    name: spec.name,
    command: spec.label ?? (typeof spec.cmd === "function" ? spec.cmd(0) : spec.cmd).join(" "),
    baseline: spec.baseline.label ?? spec.baseline.cmd.join(" "),
    runs,
    ms: round(ms),
    baselineMs: round(baselineMs),
    ratio: Math.round((ms / baselineMs) * 100) / 100,
    target: spec.target ?? null,
    peakRssMB: cmdRss === null ? null : round(cmdRss / 1024),
    baselinePeakRssMB: baseRss === null ? null : round(baseRss / 1024),
    samplesMs: cmdTimes.map(round),
    baselineSamplesMs: baseTimes.map(round),
  };
}

function round(x) {
  return Math.round(x * 10) / 10;
}
