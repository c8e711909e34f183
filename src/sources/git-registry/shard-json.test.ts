import { describe, expect, it } from "vitest";
import { parseShard, parseShardConfig } from "./shard-json.js";

const SHA = "a".repeat(64);
const BLOB = "b".repeat(40);
const shard = (o: Record<string, unknown> = {}) => JSON.stringify({ name: "alpha", description: "d", versions: { "1.0.0": { path: "agents/alpha/1.0.0.md", sha256: SHA, blob: BLOB } }, tags: { latest: "1.0.0" }, ...o });

describe("parseShardConfig", () => {
  it("knows format 1 with a count of agents", () => {
    expect(parseShardConfig('{"format": 1, "agents": 3}\n')).toEqual({ format: 1, agents: 3 });
  });

  it("ignores anything else: registry.json is read instead", () => {
    for (const text of ['{"format": 2, "agents": 3}', '{"format": "1", "agents": 3}', '{"format": 1}', '{"format": 1, "agents": -1}', '{"format": 1, "agents": 1.5}', "[1]", "not json", ""]) {
      expect(parseShardConfig(text), text).toBeUndefined();
    }
  });
});

describe("parseShard", () => {
  it("reads the entry as registry.json's, with each version's blob id", () => {
    const entry = parseShard(shard(), "alpha", "reg");
    expect(entry.name).toBe("alpha");
    expect(entry.versions["1.0.0"]).toMatchObject({ path: "agents/alpha/1.0.0.md", sha256: SHA, blob: BLOB });
    expect(entry.tags).toEqual({ latest: "1.0.0" });
    expect(parseShard(shard({ versions: { "1.0.0": { path: "a.md", sha256: SHA } } }), "alpha", "reg").versions["1.0.0"]!.blob).toBeUndefined();
    expect(parseShard(shard({ versions: { "1.0.0": { path: "a.md", sha256: SHA, blob: "c".repeat(64) } } }), "alpha", "reg").versions["1.0.0"]!.blob).toBe("c".repeat(64));
  });

  it("refuses a shard whose name is not the one it is kept for, naming the file", () => {
    expect(() => parseShard(shard({ name: "bravo" }), "alpha", "reg")).toThrow(/reg index\/al\/alpha\.json: "name" is "bravo", not "alpha"/);
    expect(() => parseShard(shard({ name: undefined }), "alpha", "reg")).toThrow(/"name" is null/);
  });

  it("checks every field as registry.json's entries are, and the blob id", () => {
    const bad = [
      [shard({ versions: { "1.0.0": { path: "../x.md", sha256: SHA } } }), /path must be a relative path/],
      [shard({ versions: { "1.0.0": { path: "a.md", sha256: "nope" } } }), /sha256 must be a lowercase hex sha256/],
      [shard({ versions: { "1.0.0": { path: "a.md", sha256: SHA, blob: "B".repeat(40) } } }), /versions\.1\.0\.0\.blob must be a git object id/],
      [shard({ versions: { "1.0.0": { path: "a.md", sha256: SHA, blob: 7 } } }), /blob must be a git object id/],
      [shard({ tags: { latest: "9.9.9" } }), /points at unknown version/],
      ["[]", /must be a JSON object/],
      ["{", /index\/al\/alpha\.json/],
    ] as const;
    for (const [text, message] of bad) {
      expect(() => parseShard(text, "alpha", "reg")).toThrow(message);
      try {
        parseShard(text, "alpha", "reg");
      } catch (err) {
        expect(err).toMatchObject({ code: "E_REGISTRY_INVALID" });
      }
    }
  });
});
