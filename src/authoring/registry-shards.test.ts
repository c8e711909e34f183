import { describe, expect, it } from "vitest";
import { configText, parseIndexConfig, shardText } from "./registry-shards.js";
import { buildIndex } from "./registry-index.js";
import { shardPath } from "../sources/index/shard-path.js";

const entry = {
  description: "Reviews code",
  versions: {
    "1.0.0": { path: "agents/rev/1.0.0.md", sha256: "a".repeat(64), changelog: "first" },
    "1.1.0": { path: "agents/rev/1.1.0.md", sha256: "b".repeat(64), blob: "stale", yanked: "broken" },
  },
  tags: { latest: "1.0.0" },
  deprecated: null,
};

describe("shardText", () => {
  it("is the registry.json entry with name first and each known blob after sha256, 2-space JSON and a newline", () => {
    const text = shardText("Rev", entry, (p) => (p.endsWith("1.0.0.md") ? "1".repeat(40) : undefined));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toBe(JSON.stringify({
      name: "Rev",
      description: "Reviews code",
      versions: {
        "1.0.0": { path: "agents/rev/1.0.0.md", sha256: "a".repeat(64), blob: "1".repeat(40), changelog: "first" },
        "1.1.0": { path: "agents/rev/1.1.0.md", sha256: "b".repeat(64), yanked: "broken" },
      },
      tags: { latest: "1.0.0" },
      deprecated: null,
    }, null, 2) + "\n");
  });

  it("refuses a shard larger than readers accept (1 MiB), naming the file", () => {
    const huge = { ...entry, versions: { "1.0.0": { ...entry.versions["1.0.0"], changelog: "x".repeat(1024 * 1024) } } };
    expect(() => shardText("rev", huge, () => undefined)).toThrow(/index\/re\/rev\.json would be \d+ bytes, over the 1048576 bytes readers accept/);
  });

  it("keeps its own name even when the entry has a name field", () => {
    expect(JSON.parse(shardText("rev", { ...entry, name: "other" }, () => undefined)).name).toBe("rev");
  });
});

describe("the index files", () => {
  it("config.json counts the agents; the shards sit at index/<first two characters, lowercased>/<name>.json", () => {
    const files = buildIndex({ Rev: entry, x: { ...entry, versions: {} } }, () => undefined);
    expect(files.map((f) => f.path)).toEqual(["index/config.json", "index/re/Rev.json", "index/x/x.json"]);
    expect(files[0]!.content).toBe('{\n  "format": 1,\n  "agents": 2\n}\n');
    expect(shardPath("ab.c")).toBe("index/ab/ab.c.json");
  });

  it.each([
    [configText(3), { format: 1, agents: 3 }],
    ['\uFEFF{"format": 1, "agents": 0}', { format: 1, agents: 0 }],
    ['{"format": 2, "agents": 1}', /has format 2/],
    ['{"format": 1}', /"agents" must be a count/],
    ['{"format": 1, "agents": -1}', /"agents" must be a count/],
    ["[1]", /must be a JSON object/],
    ["{", /is not JSON/],
  ])("parseIndexConfig(%j)", (text, expected) => {
    const r = parseIndexConfig(text);
    if (expected instanceof RegExp) expect(r).toMatch(expected);
    else expect(r).toEqual(expected);
  });
});
