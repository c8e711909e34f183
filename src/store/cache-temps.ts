// What an interrupted run (Ctrl-C during a first `registry add`, kill -9) leaves in the cache: a half-made
// clone or unpacked archive, or a lock folder staged but never renamed. Each carries its process id, so
// one whose process is gone is known to be garbage.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { tempNamePid } from "../util/atomic.js";
import { alive } from "../util/process-lock.js";

export interface CacheTemp {
  /** absolute path */
  path: string;
  pid: number;
}

/** Folders of the cache that hold temps: mirrors (`<mirror>.tmp-<pid>`) and unpacked archives (`<sha>.tmp-<pid>-<hex>`). */
const TEMP_FOLDERS = ["git", "tarballs"];

/** The pid in a cache temp's name: a clone or archive (`x.tmp-<pid>`, `x.tmp-<pid>-<hex>`) or a staged lock folder. */
export function cacheTempPid(name: string): number | undefined {
  const m = /\.tmp-(\d{1,10})(-[0-9a-f]{8})?$/.exec(name);
  if (m) {
    const pid = Number(m[1]);
    return pid > 0 ? pid : undefined;
  }
  return tempNamePid(`.${name}`); // `<mirror>.busy.<pid>.<hex>.agentpkg-tmp`: the same shape as a temp file's, less the dot
}

/** Temps in the cache whose process is gone (a live process's are its work in progress). */
export function findStaleCacheTemps(cache: string): CacheTemp[] {
  const out: CacheTemp[] = [];
  for (const folder of TEMP_FOLDERS) {
    let names: string[];
    try {
      names = readdirSync(path.join(cache, folder));
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = cacheTempPid(name);
      if (pid !== undefined && pid !== process.pid && !alive(pid)) out.push({ path: path.join(cache, folder, name), pid });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Delete the temps of processes that are gone; returns what was deleted. Never throws: it is only tidying. */
export function removeStaleCacheTemps(cache: string): CacheTemp[] {
  const removed: CacheTemp[] = [];
  for (const t of findStaleCacheTemps(cache)) {
    try {
      rmSync(t.path, { recursive: true, force: true });
      removed.push(t);
    } catch {
      // in use or not ours to delete: doctor reports it
    }
  }
  return removed;
}
