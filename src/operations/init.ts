import fs from "node:fs/promises";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import type { Deps } from "../util/deps.js";
import { classifyGitUrl, normalizeGitUrl } from "../git/run.js";
import { assertRegistryName } from "../util/names.js";
import { displayPath, resolveScope, scopeAt, userScope } from "../project/scope.js";
import { emptyManifest, serializeManifest } from "../project/manifest.js";
import type { CommonOptions } from "../change/context.js";
import { dict } from "../util/json.js";

export interface InitOptions extends Pick<CommonOptions, "global" | "dryRun"> {
  /** NAME=URL, in lookup order */
  registries: string[];
}

export interface InitResult {
  /** the manifest, as displayed (relative to the project root, or ~/ for --global) */
  file: string;
  created: boolean;
  dryRun: boolean;
  registries: Record<string, string>;
  notes: string[];
}

/** Parse repeated --registry NAME=URL flags; urls are checked for form only (nothing is fetched). */
export function parseRegistryFlags(flags: string[], cwd: string): Record<string, string> {
  const out = dict<string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0 || eq === flag.length - 1) {
      throw new AgentpkgError("E_USAGE", `--registry ${JSON.stringify(flag)}: expected NAME=URL`, { hint: "e.g. --registry team=git@github.com:acme/agents.git" });
    }
    const name = assertRegistryName(flag.slice(0, eq), "--registry");
    const url = flag.slice(eq + 1);
    classifyGitUrl(url);
    if (Object.hasOwn(out, name)) throw new AgentpkgError("E_USAGE", `--registry ${name} is given twice`);
    out[name] = normalizeGitUrl(url, cwd);
  }
  return out;
}

/**
 * init: create .claude/agentpkg.json in the current folder (or ~/.claude with --global), optionally
 * with registries. Refuses when one exists; never fetches (install and registry add do).
 */
export async function runInit(o: InitOptions, deps: Pick<Deps, "cwd" | "home" | "env">): Promise<InitResult> {
  const scope = o.global ? userScope(deps) : scopeAt(path.resolve(deps.cwd), false);
  const file = displayPath(scope, scope.manifestPath, deps.home);
  const registries = parseRegistryFlags(o.registries, deps.cwd);
  const exists = await fs.access(scope.manifestPath).then(() => true, () => false);
  if (exists) {
    throw new AgentpkgError("E_USAGE", `${file} already exists`, {
      exitCode: 1,
      hint: "add registries with agentpkg registry add NAME URL and agents with agentpkg install NAME",
    });
  }
  const notes: string[] = [];
  if (!o.global) {
    try {
      const outer = resolveScope({ cwd: deps.cwd, home: deps.home, global: false });
      if (outer.root !== scope.root) notes.push(`${path.relative(scope.root, outer.manifestPath)} also exists; agentpkg run in this folder will use the new one`);
    } catch (err) {
      // a parent's project owned by another user: the new manifest is exactly the way out
      if (!(err instanceof AgentpkgError && err.code === "E_UNSAFE")) throw err;
      notes.push(`a parent folder has a project owned by another user; agentpkg run in this folder will use the new one`);
    }
  }
  const hasLock = await fs.lstat(scope.lockPath).then(() => true, () => false); // only whether it is there: never read
  if (hasLock) notes.push(`${displayPath(scope, scope.lockPath, deps.home)} exists: agentpkg install will remove the agents it locks unless you add them to the manifest`);
  const manifest = { ...emptyManifest(), registries };
  if (!o.dryRun) {
    await fs.mkdir(scope.claudeDir, { recursive: true });
    try {
      await fs.writeFile(scope.manifestPath, serializeManifest(manifest), { flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new AgentpkgError("E_USAGE", `${file} already exists`, { exitCode: 1 });
      throw err;
    }
  }
  return { file, created: !o.dryRun, dryRun: o.dryRun === true, registries, notes };
}
