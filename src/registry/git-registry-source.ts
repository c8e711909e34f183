import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { git, runGit } from "../util/git.js";
import { readIfExists, writeFileAtomic } from "../util/atomic.js";
import { ensureMirror, fetchCommit, type Mirror, type RefreshPolicy } from "./git-cache.js";
import { parseRegistryJson, type RegistryIndex } from "./registry-json.js";
import { checkedFile, MAX_AGENT_BYTES, tooBig } from "./read-checks.js";
import type { AgentEntry, FetchedFile, Source, VersionInfo } from "./source.js";

/** A git repository with registry.json at its root (DESIGN.md §3), read from a shallow mirror. */
export class GitRegistrySource implements Source {
  readonly kind = "registry" as const;
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly mirror: Mirror,
    private readonly index: RegistryIndex,
    private readonly env: NodeJS.ProcessEnv,
    private readonly offline: boolean,
  ) {}

  get commit(): string {
    return this.mirror.commit;
  }

  get fresh(): boolean {
    return this.mirror.fresh;
  }

  static async open(
    name: string,
    url: string,
    o: { cache: string; env: NodeJS.ProcessEnv; policy: RefreshPolicy; ttlMs: number },
  ): Promise<GitRegistrySource> {
    const mirror = await ensureMirror(url, o);
    const text = await readRegistryJson(mirror, o.env, name);
    return new GitRegistrySource(name, url, mirror, parseRegistryJson(text, name), o.env, o.policy === "never");
  }

  async getAgent(name: string): Promise<AgentEntry | null> {
    return Object.hasOwn(this.index.agents, name) ? this.index.agents[name]! : null;
  }

  async listAgents(): Promise<AgentEntry[]> {
    return Object.values(this.index.agents);
  }

  async readVersion(v: VersionInfo, commit?: string | null): Promise<FetchedFile> {
    const at = commit ?? v.commit ?? this.mirror.commit;
    if (at !== this.mirror.commit) await fetchCommit(this.mirror, at, this.env, this.offline);
    const content = await readBlob(this.mirror.dir, at, v, this.env, this.name);
    return checkedFile(this.name, v, content, at);
  }
}

/** registry.json of the mirror's commit, extracted once per commit. */
async function readRegistryJson(mirror: Mirror, env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const cached = path.join(mirror.dir, `registry-${mirror.commit}.json`);
  const hit = await readIfExists(cached);
  if (hit) return hit.toString("utf8");
  const entry = await lsTree(mirror.dir, mirror.commit, "registry.json", env);
  if (!entry) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${name} (${mirror.url}) has no registry.json at its root`, {
      hint: "a registry is a git repository with registry.json at the top; see agentpkg registry init",
    });
  }
  if (entry.mode !== "100644" && entry.mode !== "100755") {
    throw new AgentpkgError("E_UNSAFE", `${name}: registry.json is not a regular file (mode ${entry.mode})`);
  }
  const text = (await runGit(["cat-file", "blob", entry.oid], { cwd: mirror.dir, env })).toString("utf8");
  for (const f of await fs.readdir(mirror.dir)) if (/^registry-[0-9a-f]+\.json$/.test(f)) await fs.rm(path.join(mirror.dir, f), { force: true });
  await writeFileAtomic(cached, text);
  return text;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

async function lsTree(dir: string, commit: string, file: string, env: NodeJS.ProcessEnv): Promise<TreeEntry | undefined> {
  const out = await git(["ls-tree", "-l", "--full-tree", commit, "--", file], { cwd: dir, env });
  const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t/.exec(out);
  if (!m) return undefined;
  return { mode: m[1]!, type: m[2]!, oid: m[3]!, size: m[4] === "-" ? 0 : Number(m[4]) };
}

/** Only regular files: a symlink in a registry is never followed, a large file never read. */
async function readBlob(dir: string, commit: string, v: VersionInfo, env: NodeJS.ProcessEnv, registry: string): Promise<Buffer> {
  const entry = await lsTree(dir, commit, v.path, env);
  if (!entry) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${registry}: ${v.path} (${v.version}) is listed in registry.json but missing at commit ${commit.slice(0, 12)}`);
  }
  if (entry.type !== "blob" || (entry.mode !== "100644" && entry.mode !== "100755")) {
    throw new AgentpkgError("E_UNSAFE", `${registry}: ${v.path} is not a regular file (mode ${entry.mode}); symlinks and submodules are never followed`);
  }
  if (entry.size > MAX_AGENT_BYTES) throw tooBig(registry, v, entry.size);
  return runGit(["cat-file", "blob", entry.oid], { cwd: dir, env });
}
