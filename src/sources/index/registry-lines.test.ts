import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRegistryJson } from "../git-registry/registry-json.js";
import { own } from "../../util/json.js";
import { RegistryLines } from "./registry-lines.js";
import { toRegistryLines } from "./registry-lines-writer.js";
import { nameHash } from "./registry-lines-format.js";

const SHA = "a".repeat(64);
const good = { description: "g", versions: { "1.0.0": { path: "agents/good/1.0.0.md", sha256: SHA } }, tags: { latest: "1.0.0" } };
const bad = { versions: { "1.0": { path: "agents/bad/1.0.md", sha256: SHA } } };
const text = JSON.stringify({ name: "r", description: "a registry", agents: { good, "good-2": good, bad } });
const lines = () => RegistryLines.from(toRegistryLines(text, "r"), "r")!;

describe("parseRegistryJson", () => {
  it("checks every entry: one bad entry fails the whole index, naming the field", () => {
    expect(() => parseRegistryJson(JSON.stringify({ agents: { good, bad } }), "r")).toThrow(
      /r registry.json: agents\.bad\.versions\.1\.0: "1\.0" is not a semver version/,
    );
  });
});

describe("names that are also Object.prototype properties", () => {
  const proto = { versions: { "1.0.0": { path: "constructor", sha256: SHA } }, tags: { latest: "1.0.0" } };
  const protoText = JSON.stringify({ name: "p", agents: { constructor: proto, toString: proto, hasOwnProperty: proto } });

  it("are agents like any other, and nothing inherited is ever found", () => {
    const index = parseRegistryJson(protoText, "p");
    expect(Object.keys(index.agents).sort()).toEqual(["constructor", "hasOwnProperty", "toString"]);
    expect(index.agents.valueOf).toBeUndefined();
    const agent = own(index.agents, "constructor")!;
    expect(agent.name).toBe("constructor");
    expect(agent.tags.constructor).toBeUndefined();
    expect(agent.versions.toString).toBeUndefined();
    const fromLines = RegistryLines.from(toRegistryLines(protoText, "p", new Map([["constructor", Buffer.from("x")]])), "p")!;
    expect(fromLines.get("constructor")?.name).toBe("constructor");
    expect(fromLines.get("valueOf")).toBeNull();
    expect(fromLines.get("__proto__")).toBeNull();
    expect(fromLines.file("constructor")?.toString()).toBe("x");
    expect(fromLines.file("toString")).toBeUndefined();
  });

  it("keeps a tag named __proto__ as a tag", () => {
    const raw = '{"agents":{"a":{"versions":{"1.0.0":{"path":"a.md","sha256":"' + SHA + '"}},"tags":{"__proto__":"1.0.0"}}}}';
    expect(Object.keys(parseRegistryJson(raw, "p").agents.a!.tags)).toEqual(["__proto__"]);
  });
});

describe("RegistryLines", () => {
  it("keeps the registry's name and description", () => {
    expect(lines()).toMatchObject({ name: "r", description: "a registry" });
  });

  it("reads one agent, exactly as parseRegistryJson would, without touching the others", () => {
    const index = lines();
    expect(index.get("good")).toEqual(parseRegistryJson(JSON.stringify({ agents: { good } }), "r").agents.good);
    expect(index.get("good-2")?.name).toBe("good-2");
    expect(index.get("good")).toBe(index.get("good"));
  });

  it("reports a bad entry when it is read, with parseRegistryJson's message", () => {
    expect(() => lines().get("bad")).toThrow(/r registry.json: agents\.bad\.versions\.1\.0: "1\.0" is not a semver version/);
  });

  it("returns null for unknown or malformed names (no partial matches)", () => {
    const index = lines();
    for (const n of ["goo", "good-", "nope", 'good",', "", "a\nb"]) expect(index.get(n)).toBeNull();
  });

  it("lists every agent, checking each", () => {
    expect(() => lines().all()).toThrow(/not a semver version/);
    const ok = RegistryLines.from(toRegistryLines(JSON.stringify({ agents: { good, "good-2": good } }), "r"), "r")!;
    expect(ok.all().map((a) => a.name)).toEqual(["good", "good-2"]);
  });

  it("fails at once on a broken top level or an invalid agent name", () => {
    expect(() => toRegistryLines(JSON.stringify({ agents: { "../x": good } }), "r")).toThrow(/invalid agent name/);
    expect(() => toRegistryLines(JSON.stringify({ agents: [] }), "r")).toThrow(/"agents" must be an object/);
    expect(() => toRegistryLines("{ nope", "r")).toThrow(/invalid JSON/);
  });

  it("refuses a cache file of another format (it is extracted again)", () => {
    expect(RegistryLines.from(Buffer.from(text), "r")).toBeUndefined();
    expect(RegistryLines.from(Buffer.from(""), "r")).toBeUndefined();
  });

  it("reads the cache file's header only, then just the lines it is asked for", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-lines-"));
    try {
      const file = path.join(dir, "registry.lines");
      fs.writeFileSync(file, toRegistryLines(text, "r"));
      const index = RegistryLines.open(file, "r")!;
      expect(index).toMatchObject({ name: "r", description: "a registry" });
      expect(index.get("good")).toEqual(lines().get("good"));
      expect(index.get("nope")).toBeNull();
      expect(() => index.get("bad")).toThrow(/not a semver version/);
      expect(RegistryLines.open(path.join(dir, "absent"), "r")).toBeUndefined();
      const files = new Map([["agents/good/1.0.0.md", Buffer.from("the bytes\n")]]);
      fs.writeFileSync(file, toRegistryLines(text, "r", files));
      const withFiles = RegistryLines.open(file, "r")!;
      expect(withFiles.get("good")).toEqual(lines().get("good"));
      expect(withFiles.file("agents/good/1.0.0.md")?.toString()).toBe("the bytes\n");
      expect(withFiles.file("agents/good/2.0.0.md")).toBeUndefined();
      expect(RegistryLines.from(toRegistryLines(text, "r", files), "r")!.file("agents/good/1.0.0.md")?.toString()).toBe("the bytes\n");
      fs.writeFileSync(file, text);
      expect(RegistryLines.open(file, "r")).toBeUndefined();
      // a damaged file whose header points past its end is read as absent (the index is built again)
      const withLines = (length: number) => {
        const header = JSON.stringify({ format: "agentpkg-registry-lines/4", name: "r", count: 0, lines: [64, length], search: [64, 0], table: [64, 0], files: {} });
        return `agentpkg-registry-lines/4 64 ${Buffer.byteLength(header)}`.padEnd(63) + "\n" + header;
      };
      fs.writeFileSync(file, withLines(10_000_000));
      expect(RegistryLines.open(file, "r")).toBeUndefined();
      fs.writeFileSync(file, withLines(0));
      expect(RegistryLines.open(file, "r")?.name).toBe("r");
      const big = JSON.stringify({ name: "big", agents: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`agent-${i}`, good])) });
      fs.writeFileSync(file, toRegistryLines(big, "big"));
      const large = RegistryLines.open(file, "big")!;
      expect(large.get("agent-2999")?.name).toBe("agent-2999");
      expect(large.all()).toHaveLength(3000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe("RegistryLines v4: lookup table, search lines, count", () => {
  it("finds names whose hashes collide, each by its own line", () => {
    const pair = ["agent-33049", "agent-625200"]; // the first collision among agent-0, agent-1 ...
    expect(nameHash(pair[0]!)).toBe(nameHash(pair[1]!));
    const agents = Object.fromEntries([...pair, "zz"].map((n) => [n, { ...good, description: n }]));
    const index = RegistryLines.from(toRegistryLines(JSON.stringify({ agents }), "r"), "r")!;
    for (const n of pair) expect(index.get(n)?.description).toBe(n);
    expect(index.get("zz")?.description).toBe("zz");
    expect(index.get(`${pair[0]}x`)).toBeNull();
  });

  it("keeps what search shows of each agent, and filters lines by every word", () => {
    const deprecated = { ...good, description: "Reviews SQL", deprecated: "use sql-2" };
    const index = RegistryLines.from(toRegistryLines(JSON.stringify({ agents: { good, "sql-reviewer": deprecated, quote: { ...good, description: 'a "quoted" word' } } }), "r"), "r")!;
    expect(index.count()).toBe(3);
    expect(index.summaries([])).toEqual([
      { name: "good", description: "g", latest: "1.0.0", deprecated: null },
      { name: "sql-reviewer", description: "Reviews SQL", latest: "1.0.0", deprecated: "use sql-2" },
      { name: "quote", description: 'a "quoted" word', latest: "1.0.0", deprecated: null },
    ]);
    expect(index.summaries(["sql", "reviews"]).map((s) => s.name)).toEqual(["sql-reviewer"]);
    expect(index.summaries(["nothing"])).toEqual([]);
    // a word JSON escapes cannot filter: every line comes back, for the caller to match
    expect(index.summaries(['"quoted"'])).toHaveLength(3);
  });

  it("lists, counts and summarises nothing when an entry is bad, with that entry's error", () => {
    const index = lines();
    expect(index.get("good")?.name).toBe("good");
    expect(() => index.count()).toThrow(/agents\.bad\.versions\.1\.0: "1\.0" is not a semver version/);
    expect(() => index.summaries([])).toThrow(/agents\.bad\.versions\.1\.0/);
  });

  it("refuses a cache file whose preamble or header does not hold together", () => {
    const buf = toRegistryLines(text, "r");
    expect(RegistryLines.from(buf.subarray(0, buf.length - 1), "r")).toBeUndefined();
    const other = Buffer.from(buf);
    other.write("agentpkg-registry-lines/3", 0);
    expect(RegistryLines.from(other, "r")).toBeUndefined();
  });
});
