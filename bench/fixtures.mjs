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

export const agentName = (i) => `agent-${String(i).padStart(4, "0")}`;
export const versionOf = (v) => `1.${v}.0`;

/** A realistic ~1.3 KB agent file; the tools stay the same across versions (no permission prompts). */
export function agentText(name, version) {
  const lines = [];
  for (let i = 0; i < 20; i++) lines.push(`- Step ${i + 1} of the ${name} checklist: read the code, then write a short note (v${version}).`);
  return ["---", `name: ${name}`, `description: Synthetic benchmark agent ${name}, version ${version}`, "tools: Read, Grep, Glob", "model: sonnet", "---", "", `You are ${name}.`, "", ...lines, ""].join("\n");
}

const sha256 = (s) => createHash("sha256").update(s).digest("hex");

/**
 * A bare git registry (DESIGN.md §3) of `agents` agents x `versions` versions in one commit, written
 * with git fast-import (seconds for 10,000 files). Returns its file:// url.
 */
export function makeRegistry(dir, { agents, versions, name = path.basename(dir) }) {
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
    for (let v = 0; v < versions; v++) {
      const version = versionOf(v);
      const text = agentText(agent, version);
      const rel = `agents/${agent}/${version}.md`;
      entry.versions[version] = { path: rel, sha256: sha256(text) };
      chunks.push(Buffer.from(`M 100644 inline ${rel}\n`));
      data(text);
    }
    index.agents[agent] = entry;
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
