// Synthetic registries and projects for the benchmark: real git repositories in a temp dir, no network.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};

/**
 * Words agent names start with, as a big organisation's names would: their first two characters are what a
 * sharded index groups by (index/<aa>/), unevenly ("co", "re" and "de" hold several words each).
 */
const WORDS = (
  "review test code doc api data deploy debug lint format security perf refactor migrate schema sql react vue node " +
  "python rust go java kotlin swift docker k8s terraform aws gcp azure ci release changelog commit git issue triage " +
  "support sales marketing seo copy design ui ux accessibility i18n translate legal privacy compliance finance invoice " +
  "hr recruit onboard mentor teach quiz research summarize analyst metrics dashboard alert incident oncall log trace " +
  "profile cache queue stream batch etl ml llm prompt eval planner architect backend frontend mobile ios android web " +
  "css html graphql rest grpc auth oauth crypto game audio video image pdf excel email slack jira notion calendar " +
  "travel health fitness recipe budget tax contract patent science math physics chem bio geo map weather"
).split(" ");

export const agentName = (i) => `${WORDS[i % WORDS.length]}-${String(i).padStart(4, "0")}`;
export const versionOf = (v) => `1.${v}.0`;

/** A realistic ~1.3 KB agent file; the tools stay the same across versions (no permission prompts). */
export function agentText(name, version) {
  const lines = [];
  for (let i = 0; i < 20; i++) lines.push(`- Step ${i + 1} of the ${name} checklist: read the code, then write a short note (v${version}).`);
  return ["---", `name: ${name}`, `description: Synthetic benchmark agent ${name}, version ${version}`, "tools: Read, Grep, Glob", "model: sonnet", "---", "", `You are ${name}.`, "", ...lines, ""].join("\n");
}

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
/** The id git gives a file's bytes (sha1 of "blob <length>\0" + bytes), as a sharded index records it. */
export const gitBlobId = (text) => {
  const buf = Buffer.from(text);
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
};
/** Where a sharded registry keeps an agent's entry (src/sources/index/shard-path.ts). */
export const shardPath = (name) => `index/${name.slice(0, 2).toLowerCase()}/${name}.json`;

/**
 * A bare git registry (DESIGN.md §3) of `agents` agents x `versions` versions in one commit, written
 * with git fast-import (seconds for 10,000 files). Returns its file:// url. `sharded` (the default): with
 * the sharded index `registry init`/`publish` write next to registry.json (index/config.json and one
 * shard per agent, each version with its file's blob id); false: registry.json only.
 */
export function makeRegistry(dir, { agents, versions, name = path.basename(dir), sharded = true }) {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir], { env: { ...process.env, ...GIT_ENV } });
  const index = { name, agents: {} };
  const chunks = [];
  const data = (text) => {
    const buf = Buffer.from(text);
    chunks.push(Buffer.from(`data ${buf.length}\n`), buf, Buffer.from("\n"));
  };
  chunks.push(Buffer.from("commit refs/heads/main\ncommitter Bench <bench@example.com> 1767225600 +0000\n"));
  data(`${agents} agents x ${versions} versions`);
  for (let a = 0; a < agents; a++) {
    const agent = agentName(a);
    const entry = { description: `Synthetic benchmark agent ${agent}`, versions: {}, tags: { latest: versionOf(versions - 1) } };
    const shard = { name: agent, description: entry.description, versions: {}, tags: entry.tags };
    for (let v = 0; v < versions; v++) {
      const version = versionOf(v);
      const text = agentText(agent, version);
      const rel = `agents/${agent}/${version}.md`;
      entry.versions[version] = { path: rel, sha256: sha256(text) };
      shard.versions[version] = { ...entry.versions[version], blob: gitBlobId(text) };
      chunks.push(Buffer.from(`M 100644 inline ${rel}\n`));
      data(text);
    }
    index.agents[agent] = entry;
    if (sharded) {
      chunks.push(Buffer.from(`M 100644 inline ${shardPath(agent)}\n`));
      data(JSON.stringify(shard, null, 2) + "\n");
    }
  }
  if (sharded) {
    chunks.push(Buffer.from("M 100644 inline index/config.json\n"));
    data(JSON.stringify({ format: 1, agents }, null, 2) + "\n");
  }
  chunks.push(Buffer.from("M 100644 inline registry.json\n"));
  data(JSON.stringify(index, null, 2) + "\n");
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, input: Buffer.concat(chunks), env: { ...process.env, ...GIT_ENV } });
  return `file://${dir}`;
}

/** Write a project whose manifest lists the bench registry and the given agents (ranges). */
export function writeProject(dir, registryUrl, agents = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, ".claude"), { recursive: true });
  const manifest = { registries: { bench: registryUrl }, agents };
  fs.writeFileSync(path.join(dir, ".claude", "agentpkg.json"), JSON.stringify(manifest, null, 2) + "\n");
}

/** Ranges for the first n agents: { agent-0000: "^1.0.0", ... }. */
export function ranges(n, range) {
  const out = {};
  for (let i = 0; i < n; i++) out[agentName(i)] = range;
  return out;
}

/** Replace dir with a copy of template (untimed reset between runs). */
export function restore(template, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template, dir, { recursive: true });
}
