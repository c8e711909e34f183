import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputsKey, StatCache, statKey } from "./stat-cache.js";
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

  it("ignores a cache file written for another project root (a name collision) or in an older format", () => {
    const { p, st, cache } = recorded(5000);
    cache.save();
    const [name] = fs.readdirSync(path.join(p.cache, "stat"));
    const saved = path.join(p.cache, "stat", name!);
    const doc = JSON.parse(fs.readFileSync(saved, "utf8"));
    fs.writeFileSync(saved, JSON.stringify({ ...doc, root: "/some/other/project" }));
    expect(StatCache.load(p.cache, p.root).lookup(".claude/agents/a.md", st)).toBeUndefined();
    fs.writeFileSync(saved, JSON.stringify(doc.entries));
    expect(StatCache.load(p.cache, p.root).lookup(".claude/agents/a.md", st)).toBeUndefined();
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

  it("drops a remembered run of the older format (one record naming its command)", () => {
    const { p, file, cache } = recorded(5000);
    cache.save();
    const [name] = fs.readdirSync(path.join(p.cache, "stat"));
    const saved = path.join(p.cache, "stat", name!);
    const doc = JSON.parse(fs.readFileSync(saved, "utf8"));
    fs.writeFileSync(saved, JSON.stringify({ ...doc, unchanged: { command: "sync", inputs: "i", files: [A], count: 1 } }));
    const loaded = StatCache.load(p.cache, p.root);
    expect(loaded.unchangedSince("sync", "i", () => fs.statSync(file))).toBeUndefined();
    expect(loaded.unchangedSince("command", "i", () => fs.statSync(file))).toBeUndefined();
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
