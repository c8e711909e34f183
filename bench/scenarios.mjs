// The benchmark's rows: each builds its fixtures (untimed), then measures agentpkg against a baseline.
import fs from "node:fs";
import path from "node:path";
import { measurePair, runOnce } from "./measure.mjs";
import { agentName, makeRegistry, ranges, restore, versionOf, writeProject } from "./fixtures.mjs";
import { makeLongMarketplace } from "./marketplace-fixture.mjs";

const NODE = process.execPath;
/** Copy the files named in "$@" (paths inside the clone) into "$OUT", in one portable pipe. */
const COPY = 'tar -cf - "$@" | tar -xf - -C "$OUT"';
const VERSIONS = 10;
const LATEST = versionOf(VERSIONS - 1);

/** Shared state of one benchmark run: temp root, env, the CLI under test, run counts. */
export class Bench {
  constructor({ tmp, bin, runs, slowRuns, log, inheritEnv }) {
    Object.assign(this, { tmp, bin, runs, slowRuns, log });
    // a minimal environment by default: variables such as NODE_EXTRA_CA_CERTS or NODE_OPTIONS change every
    // node start-up (agentpkg's and the baseline's alike); --inherit-env measures with the caller's
    this.env = {
      ...(inheritEnv ? process.env : {}),
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: path.join(tmp, "home"),
      XDG_CACHE_HOME: path.join(tmp, "cache-warm"),
      XDG_CONFIG_HOME: path.join(tmp, "config"),
      NO_COLOR: "1",
      CI: "",
      LANG: "C",
      AGENTPKG_REGISTRY_TTL: "1000000000",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      // a V8 code cache of the bench's own, written by each row's warm-up run (see setup)
      AGENTPKG_CODE_CACHE: path.join(tmp, "code-cache"),
    };
    fs.mkdirSync(this.env.HOME, { recursive: true });
    this.registries = new Map();
    this.nodeBaseline = { cmd: [NODE, "-e", "0"], env: this.env, cwd: tmp, label: "node -e 0" };
  }

  dir(...parts) {
    return path.join(this.tmp, ...parts);
  }

  /** A registry of n agents x 10 versions, created once. */
  registry(n) {
    if (!this.registries.has(n)) {
      const t = Date.now();
      this.registries.set(n, makeRegistry(this.dir(`registry-${n}`), { agents: n, versions: VERSIONS, name: `bench-${n}` }));
      this.log(`  generated registry of ${n} agents x ${VERSIONS} versions in ${Date.now() - t} ms`);
    }
    return this.registries.get(n);
  }

  ap(args) {
    return [NODE, this.bin, ...args];
  }

  /**
   * Run agentpkg untimed (fixtures); throws on failure. Without a code cache: a command's cache is written
   * by its first run, and one written by a 500-agent install costs every later 1-agent install ~4 ms.
   */
  setup(args, cwd, env = {}) {
    return runOnce(this.ap(args), { cwd, env: { ...this.env, AGENTPKG_CODE_CACHE: "0", ...env } });
  }

  /** The build has this command (sync and verify may not exist in older builds). */
  hasCommand(name) {
    this.commands ??= runOnce(this.ap(["--help"]), { cwd: this.tmp, env: this.env, allowFail: true }).stdout;
    return new RegExp(`^\\s+${name}\\b`, "m").test(this.commands);
  }

  /** A project template with the first n agents of the 1,000-agent registry installed (warm cache). */
  installedProject(n) {
    const dir = this.dir(`project-${n}-installed`);
    if (!fs.existsSync(dir)) {
      const t = Date.now();
      writeProject(dir, this.registry(1000), ranges(n, "^1.0.0"));
      this.setup(["install"], dir);
      this.log(`  installed ${n} agents into a fixture project in ${Date.now() - t} ms`);
    }
    return dir;
  }

  pair(spec) {
    const row = measurePair({ env: this.env, runs: this.runs, ...spec });
    row.baselineName = spec.baselineName;
    this.log(`  ${row.name}: ${row.ms} ms vs ${row.baselineMs} ms (${row.ratio}x), ${row.peakRssMB ?? "?"} MB`);
    return row;
  }

  /** git clone --depth 1 of the registry, then copy the given registry files: the raw way to get agents. */
  cloneBaseline(url, files, label) {
    const clone = this.dir("baseline-clone");
    const out = this.dir("baseline-out");
    return {
      cmd: ["sh", "-c", `git clone -q --depth 1 "$1" "$2" && mkdir -p "$3" && cd "$2" && shift 3 && ${COPY}`, "sh", url, clone, out, ...files],
      env: { ...this.env, OUT: out },
      cwd: this.tmp,
      label,
      prepare: () => {
        fs.rmSync(clone, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
      },
    };
  }
}

/** The least raw git can do for one file: a bare shallow clone and `git show` (no checkout of the whole tree). */
function minimalBaseline(b, url, file) {
  const clone = b.dir("baseline-bare");
  const out = b.dir("baseline-out");
  return {
    cmd: ["sh", "-c", 'git clone -q --bare --depth 1 "$1" "$2" && mkdir -p "$3" && git -C "$2" show "HEAD:$4" > "$3/agent.md"', "sh", url, clone, out, file],
    env: b.env,
    cwd: b.tmp,
    label: "git clone --bare --depth 1 + git show of 1 file",
    prepare: () => {
      fs.rmSync(clone, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    },
  };
}

const files = (names) => names.map((a) => `agents/${a}/${LATEST}.md`);
const names = (from, n) => Array.from({ length: n }, (_, i) => agentName(from + i));

export function versionRow(b) {
  return b.pair({ name: "--version", cmd: b.ap(["--version"]), cwd: b.tmp, baseline: b.nodeBaseline, baselineName: "node -e 0", target: 1.5 });
}

export function warmInstallRow(b) {
  const template = b.dir("project-empty");
  writeProject(template, b.registry(1000));
  b.installedProject(500); // fills the warm cache (mirror + registry.json); these agents are not installed here
  const project = b.dir("project-warm");
  return b.pair({
    name: "warm install (1 agent)",
    label: "agentpkg install <agent 6xx> (registry of 1,000 agents cached, agent not in the store)",
    cmd: (run) => b.ap(["install", agentName(600 + run)]),
    cwd: project,
    prepare: () => restore(template, project),
    baseline: b.nodeBaseline,
    baselineName: "node -e 0",
    target: 3,
  });
}

export function noopRow(b, command, n, o = {}) {
  const template = b.installedProject(n);
  if (!b.hasCommand(command)) return { name: o.name ?? `no-op ${command} (${n} agents)`, missing: true, target: o.target ?? null };
  const project = b.dir(`project-${n}-${command}`);
  restore(template, project);
  return b.pair({
    name: o.name ?? `no-op ${command} (${n} agents)`,
    cmd: b.ap([command]),
    cwd: project,
    runs: o.runs ?? b.runs,
    baseline: b.nodeBaseline,
    baselineName: "node -e 0",
    target: o.target ?? null,
  });
}

/** install of `agents` agents into an empty project with an empty cache, vs clone + copy. */
export function coldInstallRow(b, registrySize, agents, o = {}) {
  const url = b.registry(registrySize);
  const template = b.dir(`project-empty-${registrySize}`);
  writeProject(template, url);
  const project = b.dir("project-cold");
  const cache = b.dir("cache-cold");
  const first = agents === 1 ? Math.floor(registrySize / 2) : 0;
  const list = names(first, agents);
  const base = o.minimal ? minimalBaseline(b, url, files(list)[0]) : b.cloneBaseline(url, files(list), `git clone --depth 1 + copy ${agents} file${agents > 1 ? "s" : ""}`);
  return b.pair({
    name: o.name ?? `cold install (${agents} agent${agents > 1 ? "s" : ""}, registry of ${registrySize})`,
    label: `agentpkg install ${agents > 1 ? `${list[0]} … ${list.at(-1)}` : list[0]} (empty cache)`,
    cmd: b.ap(["install", ...list]),
    cwd: project,
    env: { ...b.env, XDG_CACHE_HOME: cache },
    runs: b.slowRuns,
    prepare: () => {
      fs.rmSync(cache, { recursive: true, force: true });
      restore(template, project);
    },
    baseline: base,
    prepareBaseline: base.prepare,
    baselineName: base.label,
    target: o.target ?? null,
  });
}

/** upgrade of 100 agents from 1.0.0 to the newest (registry cached; upgrade always fetches). */
export function upgradeRow(b, n = 100) {
  const url = b.registry(1000);
  const template = b.dir(`project-${n}-old`);
  const list = names(0, n);
  writeProject(template, url);
  b.setup(["install", ...list.map((a) => `${a}@1.0.0`)], template);
  const project = b.dir("project-upgrade");
  const clone = b.dir("baseline-fetch-clone");
  const out = b.dir("baseline-out");
  fs.rmSync(clone, { recursive: true, force: true });
  runOnce(["git", "clone", "-q", "--depth", "1", url, clone], { env: b.env, cwd: b.tmp });
  return b.pair({
    name: `upgrade (${n} agents)`,
    label: `agentpkg upgrade (${n} agents 1.0.0 -> ${LATEST})`,
    cmd: b.ap(["upgrade"]),
    cwd: project,
    runs: b.slowRuns,
    prepare: () => restore(template, project),
    check: () => {
      const lock = JSON.parse(fs.readFileSync(path.join(project, ".claude", "agentpkg.lock"), "utf8"));
      if (lock.agents[list[0]].version !== LATEST) throw new Error(`upgrade did not upgrade ${list[0]}`);
    },
    baseline: {
      cmd: ["sh", "-c", `git -C "$1" fetch -q --depth 1 origin && mkdir -p "$2" && cd "$1" && shift 2 && ${COPY}`, "sh", clone, out, ...files(list)],
      env: { ...b.env, OUT: out },
      cwd: b.tmp,
    },
    prepareBaseline: () => fs.rmSync(out, { recursive: true, force: true }),
    baselineName: `git fetch --depth 1 + copy ${n} files`,
  });
}

/**
 * registry add of a marketplace with a long history (issue #16: every version of marketplace.json is read),
 * empty cache, vs a plain `git clone` of it.
 */
export function longMarketplaceRow(b, { plugins = 300, commits = 3000, descriptionBytes = 300 } = {}) {
  const t = Date.now();
  const url = makeLongMarketplace(b.dir("long-marketplace.git"), { plugins, commits, descriptionBytes });
  b.log(`  generated a marketplace of ${plugins} plugins x ${commits} commits in ${Date.now() - t} ms`);
  const project = b.dir("project-long-marketplace");
  const cache = b.dir("cache-long-marketplace");
  const clone = b.dir("baseline-long-clone");
  fs.mkdirSync(project, { recursive: true });
  return b.pair({
    name: `registry add (marketplace, ${plugins} plugins x ${commits} commits)`,
    label: "agentpkg registry add long URL --dry-run (empty cache)",
    cmd: b.ap(["registry", "add", "long", url, "--dry-run"]),
    cwd: project,
    env: { ...b.env, XDG_CACHE_HOME: cache },
    runs: b.slowRuns,
    prepare: () => fs.rmSync(cache, { recursive: true, force: true }),
    baseline: { cmd: ["git", "clone", "-q", url, clone], env: b.env, cwd: b.tmp },
    prepareBaseline: () => fs.rmSync(clone, { recursive: true, force: true }),
    baselineName: "git clone",
    target: 2,
  });
}
