// `agentpkg registry init [DIR]`: a new registry repository from templates/registry, committed.
import fs from "node:fs/promises";
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { git, GitError } from "../git/run.js";
import { writeFileAtomic } from "../util/atomic.js";
import { packageRoot } from "../sources/bundled/builtin-source.js";
import { parseRegistryJson } from "../sources/git-registry/registry-json.js";
import { suggestName } from "../agent/fields.js";
import { fillTemplate } from "./new.js";
import { objectFormat } from "../git/blob-id.js";
import { indexOfWorkingFiles } from "./registry-index.js";

export interface RegistryInitOptions {
  /** default: the current directory */
  dir?: string;
  /** default: the folder's name, in lowercase-hyphen form */
  name?: string;
}

export interface RegistryInitResult {
  dir: string;
  name: string;
  /** files written, relative to dir */
  files: string[];
  /** template files left out because the folder already had them */
  skipped: string[];
  /** true when `git init` ran (false: DIR already was a repository) */
  initialized: boolean;
  commit: string;
}

/** Template files, relative to the template root, sorted. */
async function templateFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(r);
    }
  }
  await walk("");
  return out.sort();
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

export async function runRegistryInit(o: RegistryInitOptions, deps: Deps, templatesDir = path.join(packageRoot(), "templates")): Promise<RegistryInitResult> {
  const dir = path.resolve(deps.cwd, o.dir ?? ".");
  const name = o.name?.trim() || suggestName(path.basename(dir));
  if (await exists(path.join(dir, "registry.json"))) {
    throw new AgentpkgError("E_EXISTS", `${o.dir ?? "."} already has a registry.json`, { hint: `publish to it: agentpkg publish FILE --registry ${o.dir ?? "."}` });
  }
  const st = await fs.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new AgentpkgError("E_USAGE", `${o.dir} is not a directory`);
  const env = deps.env;
  const top = st ? await git(["rev-parse", "--show-toplevel"], { cwd: dir, env }).then((s) => s.trim(), () => undefined) : undefined;
  if (top !== undefined && (await fs.realpath(top)) !== (await fs.realpath(dir))) {
    throw new AgentpkgError("E_USAGE", `${o.dir ?? "."} is inside the git repository ${top}; a registry must be the root of its own repository`, {
      hint: "agentpkg registry init NEW-DIR (outside any repository)",
    });
  }
  const root = path.join(templatesDir, "registry");
  const files: string[] = [];
  const skipped: string[] = [];
  const planned: { rel: string; text: string }[] = [];
  for (const rel of await templateFiles(root)) {
    const raw = await fs.readFile(path.join(root, rel), "utf8");
    const text = fillTemplate(raw, { name: rel.endsWith(".json") ? JSON.stringify(name).slice(1, -1) : name });
    if (await exists(path.join(dir, rel))) skipped.push(rel);
    else planned.push({ rel, text });
  }
  const index = planned.find((f) => f.rel === "registry.json");
  if (!index) throw new AgentpkgError("E_IO", `the registry template is missing registry.json (${root})`, { hint: "reinstall agentpkg" });
  parseRegistryJson(index.text, name);
  await fs.mkdir(dir, { recursive: true });
  const initialized = top === undefined;
  try {
    if (initialized) await git(["init", "-q"], { cwd: dir, env });
    for (const f of planned) {
      await writeFileAtomic(path.join(dir, ...f.rel.split("/")), f.text);
      files.push(f.rel);
    }
    // a new registry is sharded from its first commit: the index of the agents it starts with
    const agents = (JSON.parse(index.text) as { agents: Record<string, Record<string, unknown>> }).agents;
    for (const f of indexOfWorkingFiles(dir, agents, await objectFormat(dir, env))) {
      if (await exists(path.join(dir, ...f.path.split("/")))) skipped.push(f.path);
      else {
        await writeFileAtomic(path.join(dir, ...f.path.split("/")), f.content);
        files.push(f.path);
      }
    }
    await git(["add", "--", ...files], { cwd: dir, env });
    await git(["commit", "-q", "--no-verify", "-m", `Initialize agentpkg registry ${name}`, "--", ...files], { cwd: dir, env });
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    const identity = /tell me who you are|unable to auto-detect email|empty ident/i.test(err.stderr);
    throw new AgentpkgError("E_IO", `registry files written to ${o.dir ?? "."}, but ${identity ? "git does not know who you are" : err.message}`, {
      cause: err,
      hint: identity ? 'git config --global user.name "Your Name" && git config --global user.email you@example.com, then commit them' : "commit them by hand",
    });
  }
  const commit = (await git(["rev-parse", "HEAD"], { cwd: dir, env })).trim();
  return { dir: o.dir ?? ".", name, files, skipped, initialized, commit };
}
