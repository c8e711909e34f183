// The peer race (issue #19): agentpkg's `install <repo>#<agent>` against vercel-labs' `skills add` and Sentry's
// `dotagents install`, on one local git repository, cold (empty caches) and warm (caches filled), in one run,
// alternated run by run (each run rotates who goes first). The peers are installed from the npm registry
// into .bench/peers/ at bench time, never as dependencies of the project; if that fails, the rows say so.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { median, runOnce } from "./measure.mjs";
import { GIT_ENV } from "./fixtures.mjs";

const NODE = process.execPath;

/** skills 1.5.19 and later need Node >= 22.20 (fs/promises glob); 1.5.18 is the newest that runs on Node 20. */
function peerVersions() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const modern = major > 22 || (major === 22 && minor >= 20);
  return { skills: modern ? "1.7.4" : "1.5.18", dotagents: "1.19.0" };
}

/** npm's own line for why (ETARGET, E404, ENOTFOUND ...), not its "complete log" pointer. */
function npmReason(npm) {
  const lines = (npm.stderr || "").split("\n").map((l) => l.replace(/^npm (error|ERR!) /, "").trim());
  return lines.find((l) => l && !/^code |^A complete log/.test(l)) ?? npm.error?.message ?? `exit ${npm.status}`;
}

const PACKAGES = { skills: "skills", dotagents: "@sentry/dotagents" };

/**
 * Install each peer into `dir` (kept between bench runs), one npm install per peer so that one the
 * registry cannot give is skipped alone. Returns their bins, and why each missing one is missing.
 */
export function installPeers(dir, log) {
  const versions = peerVersions();
  const bins = { skills: path.join(dir, "node_modules", "skills", "bin", "cli.mjs"), dotagents: path.join(dir, "node_modules", "@sentry", "dotagents", "dist", "cli", "index.js") };
  const have = (name, version) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version === version;
    } catch {
      return false;
    }
  };
  const found = {};
  const errors = {};
  for (const [peer, pkg] of Object.entries(PACKAGES)) {
    if (!have(pkg, versions[peer])) {
      fs.mkdirSync(dir, { recursive: true });
      if (!fs.existsSync(path.join(dir, "package.json"))) fs.writeFileSync(path.join(dir, "package.json"), '{ "private": true, "description": "agentpkg bench peers (not a dependency of the project)" }\n');
      log(`  installing ${pkg}@${versions[peer]} into ${dir}`);
      const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", `${pkg}@${versions[peer]}`], { cwd: dir, encoding: "utf8", timeout: 300_000 });
      if (npm.status !== 0) {
        errors[peer] = `npm install ${pkg}@${versions[peer]} failed: ${npmReason(npm)}`;
        continue;
      }
    }
    if (fs.existsSync(bins[peer])) found[peer] = bins[peer];
    else errors[peer] = `${pkg} has no ${bins[peer]}`;
  }
  return { bins: found, errors, versions };
}

/** A plain repository holding one agent (and, for skills add, the same as a skill), three commits. */
function makePeerRepo(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  const git = (...args) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  fs.mkdirSync(path.join(dir, "agents"), { recursive: true });
  fs.mkdirSync(path.join(dir, "skills", "reviewer"), { recursive: true });
  git("init", "-q", "-b", "main");
  const body = ["You review code for bugs, missing tests and unclear names.", "", ...Array.from({ length: 20 }, (_, i) => `- Check ${i + 1}: read the change, then write a short note.`), ""].join("\n");
  fs.writeFileSync(path.join(dir, "README.md"), "# reviewer\n");
  git("add", "-A");
  git("commit", "-qm", "readme");
  fs.writeFileSync(path.join(dir, "agents", "reviewer.md"), `---\nname: reviewer\ndescription: Reviews code for bugs\ntools: Read, Grep, Glob\n---\n${body}`);
  git("add", "-A");
  git("commit", "-qm", "agent");
  fs.writeFileSync(path.join(dir, "skills", "reviewer", "SKILL.md"), `---\nname: reviewer\ndescription: Reviews code for bugs\n---\n${body}`);
  git("add", "-A");
  git("commit", "-qm", "skill");
  return `file://${dir}`;
}

/**
 * Race the contenders run by run; each gets `prepare()` (untimed) before its timed command. Returns the
 * samples per contender. The order rotates every run, so no one always runs right after another. A peer
 * that fails its warm-up run is dropped (`failed` says why); agentpkg failing stops the bench.
 */
function race(all, runs, env) {
  let contenders = all;
  const samples = new Map(contenders.map((c) => [c.name, []]));
  const rss = new Map();
  const failed = new Map();
  for (let i = 0; i < runs + 1; i++) {
    for (const c of [...contenders.slice(i % contenders.length), ...contenders.slice(0, i % contenders.length)]) {
      c.prepare();
      const r = runOnce(c.cmd, { cwd: c.cwd, env: { ...env, ...c.env } });
      if (!fs.existsSync(c.wrote)) {
        const why = `${c.name} did not write ${path.relative(c.cwd, c.wrote)}: ${(r.stderr || r.stdout || "").trim().split("\n").pop()}`;
        if (c.name === "agentpkg" || i > 0) throw new Error(why);
        failed.set(c.name, why);
        continue;
      }
      if (i > 0) samples.get(c.name).push(r.ms); // the first round is a warm-up
      if (r.rssKB !== null) rss.set(c.name, Math.max(rss.get(c.name) ?? 0, r.rssKB));
    }
    contenders = contenders.filter((c) => !failed.has(c.name));
  }
  return { samples, rss, failed };
}

/** The four rows: cold and warm, against each peer (ratio = agentpkg's median / the peer's). */
export function peerRows(b) {
  const names = ["cold install from a repo vs skills add", "cold install from a repo vs dotagents install", "warm install from a repo vs skills add", "warm install from a repo vs dotagents install"];
  const peers = installPeers(path.join(b.repoRoot, ".bench", "peers"), b.log);
  for (const [peer, why] of Object.entries(peers.errors)) b.log(`  ${peer} skipped: ${why}`);
  const rowName = (warm, peer) => names[(warm ? 2 : 0) + (peer === "skills" ? 0 : 1)];
  if (!peers.bins.skills && !peers.bins.dotagents) return names.map((name) => ({ name, missing: true, reason: Object.values(peers.errors).join("; "), target: 1 }));
  const url = makePeerRepo(b.dir("peer-repo"));
  const home = b.dir("peer-home");
  fs.mkdirSync(path.join(home, ".dotagents"), { recursive: true });
  const env = { ...b.env, HOME: home, DISABLE_TELEMETRY: "1", DO_NOT_TRACK: "1" };
  // dotagents asks the npm registry for a newer version once a day: answered in advance, the bench stays offline
  const noUpdateCheck = () => fs.writeFileSync(path.join(home, ".dotagents", "update-check.json"), JSON.stringify({ lastCheck: Date.now(), latestVersion: peers.versions.dotagents }));
  const project = (name) => b.dir(`peer-project-${name}`);
  const fresh = (name, files = {}) => {
    fs.rmSync(project(name), { recursive: true, force: true });
    fs.mkdirSync(project(name), { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(project(name), f), text);
  };
  const toml = `version = 1\nagents = ["claude"]\n\n[[subagents]]\nname = "reviewer"\nsource = "git:${url}"\n`;
  const contenders = (warm) => {
    const apCache = b.dir(`peer-cache-agentpkg-${warm ? "warm" : "cold"}`);
    const daState = b.dir(`peer-state-dotagents-${warm ? "warm" : "cold"}`);
    const all = [
      { name: "agentpkg", cmd: b.ap(["install", `${url}#reviewer`]), cwd: project("agentpkg"), env: { XDG_CACHE_HOME: apCache }, wrote: path.join(project("agentpkg"), ".claude", "agents", "reviewer.md"), prepare: () => (fresh("agentpkg"), warm || fs.rmSync(apCache, { recursive: true, force: true })) },
      peers.bins.skills && { name: "skills", cmd: [NODE, peers.bins.skills, "add", url, "-y", "-a", "claude-code", "--skill", "reviewer"], cwd: project("skills"), env: {}, wrote: path.join(project("skills"), ".claude", "skills", "reviewer", "SKILL.md"), prepare: () => fresh("skills") },
      peers.bins.dotagents && { name: "dotagents", cmd: [NODE, peers.bins.dotagents, "install"], cwd: project("dotagents"), env: { DOTAGENTS_STATE_DIR: daState }, wrote: path.join(project("dotagents"), ".claude", "agents", "reviewer.md"), prepare: () => (noUpdateCheck(), fresh("dotagents", { "agents.toml": toml }), warm || fs.rmSync(daState, { recursive: true, force: true })) },
    ];
    return all.filter(Boolean);
  };
  const rows = [];
  for (const warm of [false, true]) {
    const { samples, rss, failed } = race(contenders(warm), b.slowRuns * 2 + 1, env);
    const ap = median(samples.get("agentpkg"));
    for (const peer of ["skills", "dotagents"]) {
      const why = peers.errors[peer] ?? failed.get(peer);
      if (why) {
        if (failed.has(peer)) b.log(`  ${peer} skipped: ${why}`);
        rows.push({ name: rowName(warm, peer), missing: true, reason: why, target: 1 });
        continue;
      }
      const other = median(samples.get(peer));
      const row = {
        name: rowName(warm, peer),
        command: `agentpkg install ${url}#reviewer`,
        baseline: peer === "skills" ? `skills@${peers.versions.skills} add ${url} -y -a claude-code --skill reviewer` : `@sentry/dotagents@${peers.versions.dotagents} install (one subagent, git:${url})`,
        baselineName: peer === "skills" ? `skills add` : `dotagents install`,
        runs: samples.get("agentpkg").length,
        ms: Math.round(ap * 10) / 10,
        baselineMs: Math.round(other * 10) / 10,
        ratio: Math.round((ap / other) * 100) / 100,
        target: 1,
        peakRssMB: rss.has("agentpkg") ? Math.round(rss.get("agentpkg") / 1024) : null,
        baselinePeakRssMB: rss.has(peer) ? Math.round(rss.get(peer) / 1024) : null,
        samplesMs: samples.get("agentpkg").map((x) => Math.round(x)),
        baselineSamplesMs: samples.get(peer).map((x) => Math.round(x)),
      };
      b.log(`  ${row.name}: ${row.ms} ms vs ${row.baselineMs} ms (${row.ratio}x)`);
      rows.push(row);
    }
  }
  return rows;
}
