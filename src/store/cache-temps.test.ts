import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheTempPid, findStaleCacheTemps, removeStaleCacheTemps } from "./cache-temps.js";

const DEAD = 4194999; // above Linux's largest pid_max: never a live process
let cache: string;
const mk = (rel: string) => fs.mkdirSync(path.join(cache, rel), { recursive: true });

beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-cache-temps-"));
});
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

describe("cacheTempPid", () => {
  it.each([
    ["team-0123456789abcdef.tmp-4242", 4242],
    ["team-0123456789abcdef-history.tmp-77", 77],
    ["3f".repeat(32) + ".tmp-4242-0badf00d", 4242],
    ["team-0123456789abcdef.busy.4242.0badf00d.agentpkg-tmp", 4242],
    ["team-0123456789abcdef", undefined],
    ["team-0123456789abcdef.busy", undefined],
    ["notes.tmp-x", undefined],
    ["x.tmp-0", undefined],
  ])("%s -> %s", (name, pid) => expect(cacheTempPid(name)).toBe(pid));
});

describe("stale cache temps", () => {
  it("finds and removes the clones, archives and lock stages of processes that are gone, and nothing else", () => {
    mk(`git/team-0123456789abcdef.tmp-${DEAD}/objects`);
    mk(`git/team-0123456789abcdef.busy.${DEAD}.0badf00d.agentpkg-tmp`);
    mk(`tarballs/${"ab".repeat(32)}.tmp-${DEAD}-0badf00d`);
    mk(`git/live-0123456789abcdef.tmp-${process.pid}`);
    mk("git/team-0123456789abcdef/objects");
    mk(`store/sha256/ab.tmp-${DEAD}`); // not a folder that holds clones
    expect(findStaleCacheTemps(cache).map((t) => path.relative(cache, t.path))).toEqual([
      `git/team-0123456789abcdef.busy.${DEAD}.0badf00d.agentpkg-tmp`,
      `git/team-0123456789abcdef.tmp-${DEAD}`,
      `tarballs/${"ab".repeat(32)}.tmp-${DEAD}-0badf00d`,
    ]);
    expect(removeStaleCacheTemps(cache)).toHaveLength(3);
    expect(fs.readdirSync(path.join(cache, "git")).sort()).toEqual([`live-0123456789abcdef.tmp-${process.pid}`, "team-0123456789abcdef"]);
    expect(fs.readdirSync(path.join(cache, "tarballs"))).toEqual([]);
    expect(findStaleCacheTemps(cache)).toEqual([]);
  });

  it("is quiet about a cache that does not exist yet", () => {
    expect(findStaleCacheTemps(path.join(cache, "none"))).toEqual([]);
  });
});
