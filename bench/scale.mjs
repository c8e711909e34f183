// Scale rows (issue #21, DESIGN.md §7): registries of 1k, 10k and 100k agents (one version each, as a big
// organisation's registry is wide rather than deep) and a project of 5,000 installed agents.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { agentName, makeRegistry, ranges, restore, versionOf, writeProject } from "./fixtures.mjs";
import { wireRow } from "./wire.mjs";

const NODE = process.execPath;
export const SCALE_SIZES = [1000, 10000, 100000];
/** The project rows install this many agents from the 10k registry. */
export const PROJECT_AGENTS = 5000;
const LATEST = versionOf(0);
/** The registry size the issue measures bytes on the wire at. */
const WIRE_SIZE = 20000;

/**
 * A registry of n agents x 1 version, created once per run (the 100k one takes a minute): with the sharded
 * index `registry init`/`publish` write, or (`plain`) registry.json only, as registries written before it.
 */
function wideRegistry(b, n, plain = false) {
  b.wide ??= new Map();
  const key = plain ? `wide-${n}-plain` : `wide-${n}`;
  if (!b.wide.has(key)) {
    const t = Date.now();
    b.wide.set(key, makeRegistry(b.dir(key), { agents: n, versions: 1, name: key, sharded: !plain }));
    // as GitHub and GitLab do: clients may ask for a partial clone (--filter)
    execFileSync("git", ["--git-dir", b.dir(key), "config", "uploadpack.allowFilter", "true"]);
    b.log(`  generated a registry of ${n} agents x 1 version${plain ? " (registry.json only)" : ""} in ${Date.now() - t} ms`);
  }
  return b.wide.get(key);
}

const middle = (n) => agentName(Math.floor(n / 2) + 7);

/** A project with the registry as `big` and nothing installed. */
function emptyProject(b, n) {
  const dir = b.dir(`wide-project-${n}`);
  if (!fs.existsSync(dir)) writeProject(dir, wideRegistry(b, n));
  return dir;
}

/** A project with no registries and nothing installed. */
function bareProject(b, n) {
  const template = b.dir(`wide-project-none-${n}`);
  writeProject(template, wideRegistry(b, n));
  fs.writeFileSync(path.join(template, ".claude", "agentpkg.json"), JSON.stringify({ registries: {}, agents: {} }, null, 2) + "\n");
  return template;
}

/** registry add + install of one agent into a project with no registries, empty cache, vs `git clone --depth 1`. */
export function scaleColdRow(b, n) {
  const url = wideRegistry(b, n);
  const template = bareProject(b, n);
  const project = b.dir("wide-project-cold");
  const cache = b.dir("wide-cache-cold");
  const clone = b.dir("wide-baseline-clone");
  const name = middle(n);
  return b.pair({
    name: `cold registry add + install (registry of ${n})`,
    label: `agentpkg registry add big URL && agentpkg install ${name} (empty cache)`,
    cmd: ["sh", "-c", '"$1" "$2" registry add big "$3" >/dev/null && "$1" "$2" install "$4" >/dev/null', "sh", NODE, b.bin, url, name],
    cwd: project,
    env: { ...b.env, XDG_CACHE_HOME: cache },
    runs: b.slowRuns,
    prepare: () => {
      fs.rmSync(cache, { recursive: true, force: true });
      restore(template, project);
    },
    check: () => {
      if (!fs.existsSync(path.join(project, ".claude", "agents", `${name}.md`))) throw new Error(`install did not write ${name}.md`);
    },
    baseline: { cmd: ["git", "clone", "-q", "--depth", "1", url, clone], env: b.env, cwd: b.tmp },
    prepareBaseline: () => fs.rmSync(clone, { recursive: true, force: true }),
    baselineName: "git clone --depth 1",
    target: 0.5,
  });
}

/** A warm `search` or `info` (registry cached and its index extracted) vs `node -e 0`. */
export function scaleWarmRow(b, n, command) {
  const project = emptyProject(b, n);
  const args = command === "search" ? ["search", middle(n)] : ["info", middle(n)];
  b.setup(args, project); // fills the cache
  return b.pair({
    name: `warm ${command} (registry of ${n})`,
    label: `agentpkg ${args.join(" ")}`,
    cmd: b.ap(args),
    cwd: project,
    baseline: b.nodeBaseline,
    baselineName: "node -e 0",
    target: command === "search" ? 5 : 3,
  });
}

/** A project with PROJECT_AGENTS agents of the 10k registry installed (warm cache), built once. */
function bigProject(b) {
  const dir = b.dir(`wide-project-${PROJECT_AGENTS}-installed`);
  if (!fs.existsSync(dir)) {
    const t = Date.now();
    writeProject(dir, wideRegistry(b, 10000), ranges(PROJECT_AGENTS, "^1.0.0"));
    b.setup(["install"], dir);
    b.log(`  installed ${PROJECT_AGENTS} agents into a fixture project in ${Date.now() - t} ms`);
  }
  return dir;
}

/** no-op sync / verify of the 5,000-agent project vs `node -e 0`. */
export function scaleNoopRow(b, command) {
  const template = bigProject(b);
  const project = b.dir(`wide-project-${PROJECT_AGENTS}-${command}`);
  restore(template, project);
  b.setup([command], project); // the first run after a copy refreshes the stat cache
  return b.pair({
    name: `no-op ${command} (${PROJECT_AGENTS} agents)`,
    cmd: b.ap([command]),
    cwd: project,
    baseline: b.nodeBaseline,
    baselineName: "node -e 0",
    target: 3,
  });
}

/**
 * install from the lock on a fresh clone of the project (manifest + lock, no agent files, empty cache) vs
 * `git clone --depth 1` of the registry plus copying the 5,000 files.
 */
export function scaleFromLockRow(b) {
  const template = bigProject(b);
  const url = wideRegistry(b, 10000);
  const fresh = b.dir(`wide-project-${PROJECT_AGENTS}-fresh`);
  fs.rmSync(fresh, { recursive: true, force: true });
  fs.mkdirSync(path.join(fresh, ".claude"), { recursive: true });
  for (const f of ["agentpkg.json", "agentpkg.lock"]) fs.copyFileSync(path.join(template, ".claude", f), path.join(fresh, ".claude", f));
  const project = b.dir("wide-project-from-lock");
  const cache = b.dir("wide-cache-from-lock");
  const clone = b.dir("wide-baseline-clone");
  const out = b.dir("wide-baseline-out");
  const list = Array.from({ length: PROJECT_AGENTS }, (_, i) => `agents/${agentName(i)}/${LATEST}.md`);
  const listFile = b.dir("wide-baseline-files.txt");
  fs.writeFileSync(listFile, list.join("\n") + "\n");
  return b.pair({
    name: `install from the lock, fresh clone (${PROJECT_AGENTS} agents)`,
    label: `agentpkg install (lock of ${PROJECT_AGENTS} agents, no agent files, empty cache)`,
    cmd: b.ap(["install"]),
    cwd: project,
    env: { ...b.env, XDG_CACHE_HOME: cache, CI: "true" },
    runs: b.slowRuns,
    prepare: () => {
      fs.rmSync(cache, { recursive: true, force: true });
      restore(fresh, project);
    },
    check: () => {
      if (!fs.existsSync(path.join(project, ".claude", "agents", `${agentName(PROJECT_AGENTS - 1)}.md`))) throw new Error("install from the lock wrote no files");
    },
    baseline: {
      cmd: ["sh", "-c", 'git clone -q --depth 1 "$1" "$2" && mkdir -p "$3" && cd "$2" && tar -cf - -T "$4" | tar -xf - -C "$3"', "sh", url, clone, out, listFile],
      env: b.env,
      cwd: b.tmp,
    },
    prepareBaseline: () => {
      fs.rmSync(clone, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    },
    baselineName: `git clone --depth 1 + copy ${PROJECT_AGENTS} files`,
    target: 1.5,
  });
}

/** Bytes on the wire of a cold add + install over https (see wire.mjs); `plain`: a registry.json-only registry. */
export function scaleWireRow(b, n, plain = false) {
  wideRegistry(b, n, plain);
  const project = b.dir("wide-project-wire");
  restore(bareProject(b, n), project);
  return wireRow(b, n, { registryDir: b.dir(plain ? `wide-${n}-plain` : `wide-${n}`), project, name: middle(n), plain });
}

/** The scale rows, one per size where the row has sizes; `want(name)` picks rows as --only does. */
export function scaleRows(b, sizes, want) {
  const rows = [];
  for (const n of sizes) if (want(`scale cold ${n}`)) rows.push(scaleColdRow(b, n));
  for (const n of sizes) if (want(`scale search ${n}`)) rows.push(scaleWarmRow(b, n, "search"));
  for (const n of sizes) if (want(`scale info ${n}`)) rows.push(scaleWarmRow(b, n, "info"));
  if (want("scale sync 5000")) rows.push(scaleNoopRow(b, "sync"));
  if (want("scale verify 5000")) rows.push(scaleNoopRow(b, "verify"));
  if (want("scale from-lock 5000")) rows.push(scaleFromLockRow(b));
  return rows;
}

/** The bytes-on-the-wire rows ("scale wire N"): the 20,000-agent registry and the scale sizes. */
export function scaleWireRows(b, sizes, want) {
  const rows = [];
  for (const n of [...new Set([...sizes, WIRE_SIZE])].sort((x, y) => x - y)) if (want(`scale wire ${n}`)) rows.push(scaleWireRow(b, n));
  // the same size without a sharded index: what registries written before it cost
  if (want(`scale wire ${WIRE_SIZE} registry.json only`)) rows.push(scaleWireRow(b, WIRE_SIZE, true));
  return rows;
}

