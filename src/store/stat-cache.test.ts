import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputsKey, scopeRunKey, StatCache, statKey } from "./stat-cache.js";
import { hashAgentFiles } from "../project/agents-dir.js";
import { scopeAt } from "../project/scope.js";
import { sha256 } from "../util/hash.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-stat-"));
  dirs.push(root);
  fs.mkdirSync(path.join(root, ".claude/agents"), { recursive: true });
  return { root, scope: scopeAt(root, false), cache: path.join(root, "cache") };
}

function age(file: string, seconds: number): void {
  const t = Date.now() / 1000 - seconds;
  fs.utimesSync(file, t, t);
}

const A = ".claude/agents/a.md";

/** A project whose a.md a fresh cache recorded `afterMs` after the file last changed. */
function recorded(afterMs: number) {
  const p = project();
  const file = path.join(p.root, A);
  fs.writeFileSync(file, "one");
  const st = fs.statSync(file);
  const cache = StatCache.load(p.cache, p.root);
  cache.record(A, st, "cafe", st.ctimeMs + afterMs);
  return { p, file, st, cache };
}

describe("StatCache", () => {
  it("answers from stat for an old, unchanged file, and survives a save/load", () => {
    const { p, st, cache } = recorded(5000);
    cache.save();
    expect(StatCache.load(p.cache, p.root).lookup(A, st)).toBe("cafe");
  });

  it("ignores a cache file written for another project root (a name collision) or in another format", () => {
    const { p, st, cache } = recorded(5000);
    cache.save();
    const [name] = fs.readdirSync(path.join(p.cache, "stat"));
    expect(name).toMatch(/^[0-9a-f]{16}\.bin$/);
    expect(StatCache.load(p.cache, "/some/other/project").lookup(A, st)).toBeUndefined();
    const saved = path.join(p.cache, "stat", name!);
    fs.writeFileSync(saved, JSON.stringify({ root: p.root, entries: { [A]: [st.size, st.mtimeMs, st.ctimeMs, st.ino, "cafe"] } }));
    expect(StatCache.load(p.cache, p.root).lookup(A, st)).toBeUndefined();
  });

  it("does not trust an entry recorded right after the file changed (racily clean)", () => {
    const { st, cache } = recorded(10);
    expect(cache.lookup(A, st)).toBeUndefined();
  });

  it("waits out a 2-second tick where timestamps are whole seconds (FAT), 100 ms elsewhere", () => {
    const p = project();
    const cache = StatCache.load(p.cache, p.root);
    const coarse = { size: 3, mtimeMs: 1_700_000_000_000, ctimeMs: 1_700_000_000_000, ino: 7 } as fs.Stats;
    cache.record("a.md", coarse, "cafe", coarse.mtimeMs + 1500);
    expect(cache.lookup("a.md", coarse)).toBeUndefined();
    cache.record("a.md", coarse, "cafe", coarse.mtimeMs + 2500);
    expect(cache.lookup("a.md", coarse)).toBe("cafe");
    const fine = { ...coarse, mtimeMs: coarse.mtimeMs + 0.25, ctimeMs: coarse.ctimeMs + 0.25 } as fs.Stats;
    cache.record("b.md", fine, "beef", fine.mtimeMs + 50);
    expect(cache.lookup("b.md", fine)).toBeUndefined();
    cache.record("b.md", fine, "beef", fine.mtimeMs + 150);
    expect(cache.lookup("b.md", fine)).toBe("beef");
  });

  it("remembers a run that changed nothing until an input or a file it hashed changes", () => {
    const { p, file, cache } = recorded(5000);
    const statOf = () => fs.statSync(file);
    cache.rememberUnchanged("sync", "inputs-1", [A], [1]);
    cache.rememberUnchanged("verify", "inputs-v", [A], [1, 0]); // one record per command: neither evicts the other
    cache.save();
    const loaded = StatCache.load(p.cache, p.root);
    expect(loaded.unchangedSince("sync", "inputs-1", statOf)?.counts).toEqual([1]);
    expect(loaded.unchangedSince("verify", "inputs-v", statOf)).toEqual({ inputs: "inputs-v", files: [A], counts: [1, 0] });
    expect(loaded.unchangedSince("sync", "inputs-2", statOf)).toBeUndefined();
    expect(loaded.unchangedSince("verify", "inputs-1", statOf)).toBeUndefined();
    expect(loaded.unchangedSince("toString", "inputs-1", statOf)).toBeUndefined();
    expect(loaded.unchangedSince("sync", "inputs-1", () => undefined)).toBeUndefined();
    fs.writeFileSync(file, "two");
    expect(loaded.unchangedSince("sync", "inputs-1", statOf)).toBeUndefined();
    expect(loaded.unchangedSince("verify", "inputs-v", statOf)).toBeUndefined();
    const st2 = fs.statSync(file);
    loaded.record(".claude/agents/a.md", st2, "beef", st2.ctimeMs + 5000);
    fs.writeFileSync(file, "one");
    expect(loaded.unchangedSince("sync", "inputs-1", statOf)).toBeUndefined();
  });

  it("does not remember a run whose files have no trusted entry, nor key a file that may still change", () => {
    const p = project();
    const cache = StatCache.load(p.cache, p.root);
    cache.rememberUnchanged("sync", "inputs", [".claude/agents/none.md"], [1]);
    expect(cache.unchangedSince("sync", "inputs", () => undefined)).toBeUndefined();
    const now = Date.now();
    const fresh = { size: 1, mtimeMs: now - 10.5, ctimeMs: now - 10.5, ino: 3 } as fs.Stats;
    expect(statKey(fresh, now)).toBeUndefined();
    expect(statKey({ ...fresh, mtimeMs: now - 500.5, ctimeMs: now - 500.5 } as fs.Stats, now)).toBe(`1:${now - 500.5}:${now - 500.5}:3`);
    expect(statKey(undefined)).toBe("-");
  });

  it("keys inputs by the stats of files (absent ones too), and not while one may still change", () => {
    const p = project();
    const file = path.join(p.root, "agentpkg.json");
    fs.writeFileSync(file, "{}");
    const st = fs.statSync(file);
    expect(inputsKey([file], st.ctimeMs + 10)).toBeUndefined(); // it may still change within the same tick
    expect(inputsKey([file, path.join(p.root, "none")], st.ctimeMs + 5000)).toBe(`${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}|-`);
  });

  it("keys a scope's no-op runs by its kind too: a project at ~ shares the user scope's manifest and lock paths", async () => {
    const p = project();
    const files = { manifestPath: path.join(p.root, "agentpkg.json"), lockPath: path.join(p.root, "none") };
    fs.writeFileSync(files.manifestPath, "{}");
    await new Promise((r) => setTimeout(r, 250)); // past the racy window of a file just written
    const user = scopeRunKey("1.0.0", { ...files, global: true });
    const projectKey = scopeRunKey("1.0.0", { ...files, global: false });
    expect(user).toMatch(/^agentpkg 1\.0\.0\|user\|/);
    expect(projectKey).toMatch(/^agentpkg 1\.0\.0\|project\|/);
    expect(user).not.toBe(projectKey);
  });

  it("never answers from a damaged or truncated file: every byte changed, every length cut", () => {
    const p = project();
    const names = ["a.md", "b.md", "c.md"].map((n) => `.claude/agents/${n}`);
    const statOf = (rel: string) => fs.statSync(path.join(p.root, rel), { throwIfNoEntry: false });
    const cache = StatCache.load(p.cache, p.root);
    for (const rel of names) {
      fs.writeFileSync(path.join(p.root, rel), rel);
      const st = statOf(rel)!;
      cache.record(rel, st, sha256(rel), st.ctimeMs + 5000);
    }
    cache.rememberUnchanged("verify", "in", names, [3, 0]);
    cache.save();
    const file = path.join(p.cache, "stat", fs.readdirSync(path.join(p.cache, "stat"))[0]!);
    const good = fs.readFileSync(file);
    expect(StatCache.load(p.cache, p.root).unchangedSince("verify", "in", statOf)?.files).toEqual(names);
    // b.md edited: no variant of the file may still call the project unchanged, or b.md's hash known
    fs.writeFileSync(path.join(p.root, names[1]!), "edited, longer");
    const variants = [...Array(good.length).keys()].flatMap((i) => {
      const flipped = Buffer.from(good);
      flipped[i] = flipped[i]! ^ (i % 7 === 0 ? 0x01 : 0x5a);
      return [flipped, good.subarray(0, i)];
    });
    for (const bytes of variants) {
      fs.writeFileSync(file, bytes);
      const loaded = StatCache.load(p.cache, p.root);
      expect(loaded.unchangedSince("verify", "in", statOf)).toBeUndefined();
      expect(loaded.lookup(names[1]!, statOf(names[1]!)!)).toBeUndefined();
    }
    // unedited: a damaged file answers as the good one did, or not at all; never with fewer files
    fs.writeFileSync(path.join(p.root, names[1]!), names[1]!);
    const st = statOf(names[1]!)!;
    const fresh = StatCache.load(p.cache, p.root);
    fresh.record(names[1]!, st, sha256(names[1]!), st.ctimeMs + 5000);
    fresh.rememberUnchanged("verify", "in", names, [3, 0]);
    fresh.save();
    const good2 = fs.readFileSync(file);
    for (let i = 0; i < good2.length; i++) {
      const flipped = Buffer.from(good2);
      flipped[i] = flipped[i]! ^ 0x5a;
      fs.writeFileSync(file, flipped);
      const answer = StatCache.load(p.cache, p.root).unchangedSince("verify", "in", statOf);
      if (answer) expect(answer).toEqual({ inputs: "in", files: names, counts: [3, 0] });
    }
  });

  it("forgets a file recorded racily, keeps the rest through a save, and drops the older format's file", () => {
    const { p, file, st, cache } = recorded(5000);
    cache.record("b.md", st, "beef", st.ctimeMs + 5000);
    cache.save();
    const [name] = fs.readdirSync(path.join(p.cache, "stat"));
    const json = path.join(p.cache, "stat", name!.replace(/\.bin$/, ".json"));
    fs.writeFileSync(json, "{}");
    const loaded = StatCache.load(p.cache, p.root);
    loaded.record("b.md", st, "beef", st.ctimeMs + 10); // racy now: forgotten
    loaded.save();
    expect(fs.existsSync(json)).toBe(false);
    const again = StatCache.load(p.cache, p.root);
    expect([again.lookup(A, fs.statSync(file)), again.lookup("b.md", st)]).toEqual(["cafe", undefined]);
  });

  it("hashAgentFiles re-reads a file whose stat changed, and reports missing files", () => {
    const p = project();
    const rel = ".claude/agents/a.md";
    const file = path.join(p.root, rel);
    fs.writeFileSync(file, "one");
    age(file, 60);
    const cache = StatCache.load(p.cache, p.root);
    // the ctime of a fresh file is "now": record with a clock far enough ahead that it counts as settled
    const st = fs.statSync(file);
    cache.record(rel, st, sha256("one"), st.ctimeMs + 5000);
    expect(hashAgentFiles(p.scope, [rel, ".claude/agents/none.md"], cache)).toEqual(
      new Map([
        [rel, sha256("one")],
        [".claude/agents/none.md", null],
      ]),
    );
    fs.writeFileSync(file, "two!");
    expect(hashAgentFiles(p.scope, [rel], cache).get(rel)).toBe(sha256("two!"));
  });
});
