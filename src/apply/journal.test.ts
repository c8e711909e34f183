import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../util/hash.js";
import { serializeLockfile } from "../project/lockfile.js";
import { scopeAt, type Scope } from "../project/scope.js";
import type { LockEntry, Lockfile } from "../project/lockfile.js";
import { ContentStore } from "../store/cas.js";
import { journalPath, recoverJournal, writeJournal, type Journal, type JournalFile, parseJournal } from "./journal.js";
import { findTemps, tidyScope } from "./housekeeping.js";

let root: string;
let scope: Scope;

const entry = (name: string, version: string, content: string): LockEntry => ({
  version, registry: "default", url: "builtin", commit: null, path: `agents/${name}/${version}.md`, sha256: sha256(content), file: `.claude/agents/${name}.md`,
});
const text = (name: string, v: string) => `---\nname: ${name}\ndescription: ${name} ${v}\n---\nbody ${v}\n`;
const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");
const write = (rel: string, data: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), data);
};
const exists = (rel: string) => fs.existsSync(path.join(root, rel));
const tmpFor = (name: string, pid = 4194999) => `.claude/agents/.${name}.md.${pid}.abcd1234.agentpkg-tmp`;

/**
 * An apply of a (1 -> 2), b (1 -> 2, new file staged), c removed, interrupted after a was renamed:
 * the lock and manifest on disk are still the old ones.
 */
function interrupted(): { oldLock: Lockfile; newLock: Lockfile; journal: Journal } {
  const oldLock: Lockfile = { lockfileVersion: 1, agents: { a: entry("a", "1.0.0", text("a", "1")), b: entry("b", "1.0.0", text("b", "1")), c: entry("c", "1.0.0", text("c", "1")) }, plugins: {} };
  const newLock: Lockfile = { lockfileVersion: 1, agents: { a: entry("a", "2.0.0", text("a", "2")), b: entry("b", "2.0.0", text("b", "2")) }, plugins: {} };
  write(".claude/agentpkg.json", '{"old":true}\n');
  write(".claude/agentpkg.lock", serializeLockfile(oldLock));
  write(".claude/agents/a.md", text("a", "2"));
  write(".claude/agents/b.md", text("b", "1"));
  write(tmpFor("b"), text("b", "2"));
  write(".claude/agents/c.md", text("c", "1"));
  const f = (name: string, oldV: string | null, newV: string | null, tmp: string | null): JournalFile => ({
    name, file: `.claude/agents/${name}.md`, oldSha: oldV && sha256(text(name, oldV)), newSha: newV && sha256(text(name, newV)), tmp,
  });
  const journal: Journal = {
    journalVersion: 1,
    manifestBefore: sha256('{"old":true}\n'),
    lockBefore: sha256(serializeLockfile(oldLock)),
    manifest: '{\n  "registries": {},\n  "agents": {}\n}\n',
    lock: newLock,
    previousLock: oldLock,
    files: [f("a", "1", "2", null), f("b", "1", "2", tmpFor("b")), f("c", "1", null, null)],
  };
  return { oldLock, newLock, journal };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-journal-"));
  scope = scopeAt(root, false);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("recoverJournal", () => {
  it("rolls an interrupted apply forward: every file new, then manifest and lock, then no journal", async () => {
    const { newLock, journal } = interrupted();
    await writeJournal(scope, journal);
    const r = await recoverJournal(scope);
    expect(r).toEqual({ completed: [".claude/agents/a.md", ".claude/agents/b.md", ".claude/agents/c.md"], kept: [], failed: [], abandoned: false, invalid: false });
    expect(read(".claude/agents/a.md")).toBe(text("a", "2"));
    expect(read(".claude/agents/b.md")).toBe(text("b", "2"));
    expect(exists(".claude/agents/c.md")).toBe(false);
    expect(read(".claude/agentpkg.lock")).toBe(serializeLockfile(newLock));
    expect(read(".claude/agentpkg.json")).toBe(journal.manifest);
    expect(exists(tmpFor("b"))).toBe(false);
    expect(fs.existsSync(journalPath(scope))).toBe(false);
    expect(await recoverJournal(scope)).toBeUndefined();
  });

  it("never loses an edit made after the crash: the file stays, with its old lock entry", async () => {
    const { oldLock, journal } = interrupted();
    await writeJournal(scope, journal);
    write(".claude/agents/b.md", "my edit\n");
    write(".claude/agents/c.md", "my edit of c\n");
    const r = await recoverJournal(scope);
    expect(r?.kept).toEqual([".claude/agents/b.md", ".claude/agents/c.md"]);
    expect(read(".claude/agents/b.md")).toBe("my edit\n");
    expect(read(".claude/agents/c.md")).toBe("my edit of c\n");
    const lock = JSON.parse(read(".claude/agentpkg.lock"));
    expect(lock.agents.a.version).toBe("2.0.0");
    expect(lock.agents.b).toEqual(oldLock.agents.b);
    expect(lock.agents.c).toEqual(oldLock.agents.c);
  });

  it("a file that cannot be written (immutable) stays as it was with its old lock entry; the rest goes ahead", async () => {
    const { oldLock, journal } = interrupted();
    await writeJournal(scope, journal);
    const frozen = [".claude/agents/b.md", ".claude/agents/c.md"].map((f) => path.join(root, f));
    for (const f of frozen) execFileSync("chattr", ["+i", f]);
    try {
      const r = await recoverJournal(scope);
      expect(r?.completed).toEqual([".claude/agents/a.md"]);
      expect(r?.failed.map((f) => f.file)).toEqual([".claude/agents/b.md", ".claude/agents/c.md"]);
      expect(r?.failed[0]?.reason).toMatch(/operation not permitted/);
    } finally {
      for (const f of frozen) execFileSync("chattr", ["-i", f]);
    }
    expect(read(".claude/agents/b.md")).toBe(text("b", "1"));
    expect(read(".claude/agents/c.md")).toBe(text("c", "1"));
    const lock = JSON.parse(read(".claude/agentpkg.lock"));
    expect(lock.agents.a.version).toBe("2.0.0");
    expect(lock.agents.b).toEqual(oldLock.agents.b);
    expect(lock.agents.c).toEqual(oldLock.agents.c);
    expect(fs.existsSync(journalPath(scope))).toBe(false);
    expect(exists(tmpFor("b"))).toBe(false);
  });

  it("takes the new content from the store when the staged temp is gone", async () => {
    const { journal } = interrupted();
    fs.rmSync(path.join(root, tmpFor("b")));
    const store = new ContentStore(path.join(root, "cache"));
    await store.put(Buffer.from(text("b", "2")));
    await writeJournal(scope, journal);
    await recoverJournal(scope, store);
    expect(read(".claude/agents/b.md")).toBe(text("b", "2"));
  });

  it("finishes when the crash came after the lockfile was written", async () => {
    const { newLock, journal } = interrupted();
    write(".claude/agents/b.md", text("b", "2"));
    fs.rmSync(path.join(root, tmpFor("b")));
    fs.rmSync(path.join(root, ".claude/agents/c.md"));
    write(".claude/agentpkg.lock", serializeLockfile(newLock));
    write(".claude/agentpkg.json", journal.manifest!);
    await writeJournal(scope, journal);
    expect((await recoverJournal(scope))?.completed).toHaveLength(3);
    expect(read(".claude/agentpkg.lock")).toBe(serializeLockfile(newLock));
  });

  it("drops the journal and touches no agent file when the lockfile changed since (e.g. git checkout)", async () => {
    const { journal } = interrupted();
    await writeJournal(scope, journal);
    write(".claude/agentpkg.lock", '{ "lockfileVersion": 1, "agents": {} }\n');
    const r = await recoverJournal(scope);
    expect(r?.abandoned).toBe(true);
    expect(read(".claude/agents/b.md")).toBe(text("b", "1"));
    expect(exists(".claude/agents/c.md")).toBe(true);
    expect(exists(tmpFor("b"))).toBe(false);
    expect(fs.existsSync(journalPath(scope))).toBe(false);
  });

  it.each([
    ["a temp outside the agents folder", (j: Journal) => (j.files[1]!.tmp = "../../outside.agentpkg-tmp")],
    ["a file outside the agents folder", (j: Journal) => (j.files[2]!.file = ".claude/agentpkg.json")],
    ["a path with ..", (j: Journal) => (j.files[2]!.file = ".claude/agents/../../x.md")],
    ["a lock entry pointing outside", (j: Journal) => (j.lock!.agents.a!.file = "../x.md")],
    ["a bad hash", (j: Journal) => (j.files[0]!.newSha = "zz")],
  ])("refuses a journal with %s and touches nothing else", async (_why, spoil) => {
    const { journal } = interrupted();
    write("outside.agentpkg-tmp", "x");
    spoil(journal);
    await writeJournal(scope, journal);
    const before = [read(".claude/agents/b.md"), read(".claude/agentpkg.json"), read(".claude/agentpkg.lock")];
    expect((await recoverJournal(scope))?.invalid).toBe(true);
    expect([read(".claude/agents/b.md"), read(".claude/agentpkg.json"), read(".claude/agentpkg.lock")]).toEqual(before);
    expect(exists(".claude/agents/c.md")).toBe(true);
    expect(exists("outside.agentpkg-tmp")).toBe(true);
  });

  it("refuses a journal naming a file in a symlinked subfolder that leads out of the agents folder", async () => {
    const { journal } = interrupted();
    const outside = path.join(root, "outside");
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, "c.md"), text("c", "1"));
    fs.symlinkSync(outside, path.join(root, ".claude/agents/sub"));
    journal.files[2]!.file = ".claude/agents/sub/c.md";
    await writeJournal(scope, journal);
    expect((await recoverJournal(scope))?.invalid).toBe(true);
    expect(fs.readFileSync(path.join(outside, "c.md"), "utf8")).toBe(text("c", "1"));
  });

  it("drops a journal that is not JSON", async () => {
    write(".claude/.agentpkg-journal.json", "{ torn");
    expect((await recoverJournal(scope))?.invalid).toBe(true);
  });
});

describe("tidyScope", () => {
  it("removes temp files of dead processes and keeps those of live ones", async () => {
    write(tmpFor("dead"), "x");
    write(tmpFor("live", process.pid), "x");
    write(".claude/.agentpkg.lock.4194999.0badf00d.agentpkg-tmp", "x");
    write(".claude/agents/sub/.y.md.4194999.00000000.agentpkg-tmp", "x");
    expect((await findTemps(scope)).filter((t) => t.stale)).toHaveLength(3);
    const t = await tidyScope(scope);
    expect(t.removedTemps).toHaveLength(3);
    expect((await findTemps(scope)).map((x) => x.file)).toEqual([tmpFor("live", process.pid)]);
  });

  it("leaves a user's own *.agentpkg-tmp folders, files and symlinks alone: only agentpkg's exact temp names go", async () => {
    write(".claude/agents/notes.agentpkg-tmp/keep.md", "mine");
    write(".claude/agents/drafts.agentpkg-tmp", "mine");
    write(".claude/my.agentpkg-tmp/x", "mine");
    fs.mkdirSync(path.join(root, ".claude/agents/.x.md.4194999.0badf00d.agentpkg-tmp")); // a folder, never a temp file
    fs.symlinkSync("/etc/hostname", path.join(root, ".claude/agents/.y.md.4194999.0badf00d.agentpkg-tmp"));
    write(".claude/.agentpkg-busy.4194999.0badf00d.agentpkg-tmp/owner.json", "{}"); // a lock folder being built
    expect((await findTemps(scope)).map((t) => t.file)).toEqual([".claude/.agentpkg-busy.4194999.0badf00d.agentpkg-tmp"]);
    await tidyScope(scope);
    expect(read(".claude/agents/notes.agentpkg-tmp/keep.md")).toBe("mine");
    expect(read(".claude/agents/drafts.agentpkg-tmp")).toBe("mine");
    expect(read(".claude/my.agentpkg-tmp/x")).toBe("mine");
    expect(exists(".claude/agents/.x.md.4194999.0badf00d.agentpkg-tmp")).toBe(true);
    expect(fs.lstatSync(path.join(root, ".claude/agents/.y.md.4194999.0badf00d.agentpkg-tmp")).isSymbolicLink()).toBe(true);
    expect(exists(".claude/.agentpkg-busy.4194999.0badf00d.agentpkg-tmp")).toBe(false);
  });
});

describe("parseJournal", () => {
  it("a journal of the user scope may name ~/.claude.json (its MCP servers), a project's may not", () => {
    const text = JSON.stringify({ journalVersion: 1, manifestBefore: null, lockBefore: null, manifest: null, lock: null, files: [{ name: "", file: ".claude.json", oldSha: null, newSha: null, tmp: null }] });
    expect(parseJournal(text, true)?.files).toEqual([{ name: "", file: ".claude.json", oldSha: null, newSha: null, tmp: null }]);
    expect(parseJournal(text)).toBeUndefined();
  });
});
