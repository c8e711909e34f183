// A plugin marketplace with a long history, for the benchmark and the tests: `commits` commits of
// .claude-plugin/marketplace.json, each changing one of `plugins` entries (a new pinned sha for a plugin in
// another repository, a new version for one in the marketplace's own folder), written with git fast-import
// (seconds for thousands of commits). Every third plugin lives in the repository and has one agent.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const GIT_ENV = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

/** A 40-digit hex id that is the same for the same number (the external plugins' pinned shas). */
export const fakeSha = (n) => (BigInt(n + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(40, "a").slice(-40);

/** Build the bare repository at `dir`; returns its file:// url. */
export function makeLongMarketplace(dir, { plugins = 300, commits = 3000, descriptionBytes = 100 } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir], { env: { ...process.env, ...GIT_ENV } });
  const list = [];
  for (let i = 0; i < plugins; i++) {
    const inRepo = i % 3 === 0;
    list.push({
      name: `plugin-${i}`,
      description: `Plugin number ${i}: tools for a part of the developer's day. `.padEnd(descriptionBytes, "Described at length. "),
      author: { name: `Author ${i}` },
      category: "development",
      source: inRepo ? `./plugins/p${i}` : { source: "git-subdir", url: `https://github.com/org${i}/repo${i}.git`, path: `plugins/p${i}`, ref: "main", sha: fakeSha(i) },
      homepage: `https://example.com/plugins/${i}`,
    });
  }
  const chunks = [];
  const data = (text) => {
    const buf = Buffer.from(text);
    chunks.push(Buffer.from(`data ${buf.length}\n`), buf, Buffer.from("\n"));
  };
  for (let c = 0; c < commits; c++) {
    const p = list[(c * 7) % plugins];
    if (typeof p.source === "object") p.source.sha = fakeSha(plugins + c);
    else p.version = `1.${c}.0`;
    chunks.push(Buffer.from(`commit refs/heads/main\nmark :${c + 1}\ncommitter Bench <bench@example.com> ${1767225600 + c * 60} +0000\n`));
    data(`update ${p.name}`);
    if (c > 0) chunks.push(Buffer.from(`from :${c}\n`));
    chunks.push(Buffer.from("M 100644 inline .claude-plugin/marketplace.json\n"));
    data(JSON.stringify({ name: "long-history", owner: { name: "bench" }, plugins: list }, null, 2) + "\n");
    if (c < plugins && c % 3 === 0) {
      chunks.push(Buffer.from(`M 100644 inline plugins/p${c}/agents/agent-${c}.md\n`));
      data(`---\nname: agent-${c}\ndescription: Agent of plugin ${c}\n---\nYou are agent ${c}.\n`);
    }
  }
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, input: Buffer.concat(chunks), env: { ...process.env, ...GIT_ENV } });
  return `file://${dir}`;
}
