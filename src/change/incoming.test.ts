import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentpkgError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { ContentStore } from "../store/cas.js";
import { scopeAt } from "../project/scope.js";
import type { LockEntry } from "../project/lockfile.js";
import type { Registries } from "../sources/registries.js";
import type { FetchedFile, Source, VersionInfo } from "../sources/source.js";
import type { Context } from "./context.js";
import { eachPristine, StoredContents } from "./incoming.js";

let root: string;
let store: ContentStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-incoming-"));
  store = new ContentStore(path.join(root, "cache"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const text = (i: number) => Buffer.from(`---\nname: a${i}\ndescription: agent ${i}\n---\nYou are a${i}.\n`);
const entry = (i: number, content = text(i)): LockEntry => ({
  version: "1.0.0",
  registry: "team",
  url: "https://example.com/team.git",
  commit: "a".repeat(40),
  path: `agents/a${i}/1.0.0.md`,
  sha256: sha256(content),
  file: `.claude/agents/a${i}.md`,
});
const fetched = (content: Buffer): FetchedFile => ({ content, sha256: sha256(content), commit: "a".repeat(40) });
const byPath = (v: VersionInfo) => text(Number(/a(\d+)\//.exec(v.path)![1]));

/** A context whose only registry is `source`. */
function contextWith(source: Partial<Source>): Context {
  const registries = { refs: [{ name: "team", url: "https://example.com/team.git" }], get: async () => source } as unknown as Registries;
  return { store, pristine: new Map(), registries, scope: scopeAt(path.join(root, "project"), false), notes: [] } as unknown as Context;
}

describe("eachPristine", () => {
  it("reads what the store lacks in one batch, stores each file as it arrives and hands it over once", async () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry(i));
    store.putSync(text(3)); // already stored: never asked of the registry
    const batches: number[] = [];
    const singles: string[] = [];
    const ctx = contextWith({
      readVersions: async (items, each) => {
        batches.push(items.length);
        items.forEach((it, j) => {
          if (it.v.path !== "agents/a7/1.0.0.md") each(j, fetched(byPath(it.v))); // a7: left to readVersion
        });
        each(0, fetched(byPath(items[0]!.v))); // twice: handed over once
      },
      readVersion: async (v) => {
        singles.push(v.path);
        return fetched(byPath(v));
      },
    });
    const got = new Map<number, string>();
    await eachPristine(ctx, entries, (i, content) => {
      expect(got.has(i)).toBe(false);
      got.set(i, content.toString());
    });
    expect(batches).toEqual([39]);
    expect(singles).toEqual(["agents/a7/1.0.0.md"]);
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(entries.map((_, i) => i));
    entries.forEach((e, i) => {
      expect(got.get(i)).toBe(text(i).toString());
      expect(store.getSync(e.sha256)?.toString()).toBe(text(i).toString());
    });
  });

  it("reads at most 16 files at once from a source without batches", async () => {
    let running = 0;
    let most = 0;
    const ctx = contextWith({
      readVersion: async (v) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return fetched(byPath(v));
      },
    });
    let count = 0;
    await eachPristine(ctx, Array.from({ length: 60 }, (_, i) => entry(i)), () => void count++);
    expect(count).toBe(60);
    expect(most).toBe(16);
  });

  it("fails on a file whose bytes are not the locked ones, having stored only checked bytes", async () => {
    const entries = Array.from({ length: 5 }, (_, i) => entry(i));
    entries[2] = entry(2, Buffer.from("what the lock says\n"));
    const ctx = contextWith({
      readVersions: async (items, each) => {
        items.forEach((it, j) => j !== 2 && each(j, fetched(byPath(it.v))));
      },
      readVersion: async (v) => {
        throw new AgentpkgError("E_INTEGRITY", `team: sha256 mismatch for ${v.path}`);
      },
    });
    await expect(eachPristine(ctx, entries, () => undefined)).rejects.toMatchObject({ code: "E_INTEGRITY" });
    expect(store.hasSync(entries[2]!.sha256)).toBe(false);
    expect(store.hasSync(sha256(text(2)))).toBe(false);
  });
});

describe("StoredContents", () => {
  it("holds a file's sha256 and reads its bytes back from the store, verified", () => {
    const contents = new StoredContents(store);
    const sha = store.putSync(text(1));
    contents.set(".claude/agents/a1.md", sha);
    expect(contents.has(".claude/agents/a1.md")).toBe(true);
    expect(contents.get(".claude/agents/a1.md")?.toString()).toBe(text(1).toString());
    expect(contents.get(".claude/agents/a2.md")).toBeUndefined();
  });

  it("never hands over bytes the store no longer has as they were: the apply stops, naming the file", () => {
    const contents = new StoredContents(store);
    contents.set(".claude/agents/a1.md", store.putSync(text(1)));
    fs.writeFileSync(store.pathFor(sha256(text(1))), "changed in the cache\n");
    expect(() => contents.get(".claude/agents/a1.md")).toThrow(/content store lost the new bytes of \.claude\/agents\/a1\.md/);
  });
});
