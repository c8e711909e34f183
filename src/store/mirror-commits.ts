import fs from "node:fs";
import path from "node:path";
import { commitsPresent } from "../git/commit-signatures.js";
import { mirrorDir } from "./git-mirrors.js";

/**
 * The cached mirror of a registry url that holds each commit (the shallow mirror, else the full-history one
 * marketplaces and plain repositories use). Never fetches: a commit no mirror holds is left out.
 */
export async function cachedCommitDirs(cache: string, url: string, commits: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of [mirrorDir(cache, url), mirrorDir(cache, url, true)]) {
    const todo = commits.filter((c) => !found.has(c));
    if (todo.length === 0 || !fs.existsSync(path.join(dir, "HEAD"))) continue;
    for (const c of await commitsPresent(dir, todo, env)) found.set(c, dir);
  }
  return found;
}
