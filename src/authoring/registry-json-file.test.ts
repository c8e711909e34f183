import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRegistryJson } from "../sources/git-registry/registry-json.js";
import { scanRegistryJson } from "../sources/index/registry-json-scan.js";
import { entrySplice, withRegistryJsonFile } from "./registry-json-file.js";
import { insertKey } from "./publish.js";

const SHA = "c".repeat(64);
const entry = (v: string, description = `agent ${v}`) => ({ description, versions: { [v]: { path: `agents/x/${v}.md`, sha256: SHA } }, tags: { latest: v } });
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** registry.json with agents.<name> set by the splice, and the splice. */
function spliced(text: string, name: string, value: unknown): { out: string; start: number; end: number } {
  const buf = Buffer.from(text);
  const s = entrySplice(scanRegistryJson(buf, "r"), name, value);
  const out = Buffer.concat([buf.subarray(0, s.start), Buffer.from(s.text), buf.subarray(s.end)]).toString("utf8");
  return { out, start: s.start, end: s.end };
}

/** What parsing registry.json whole and writing it again gave (publish before the splice). */
function rewritten(text: string, name: string, value: Record<string, unknown>): string {
  const raw = JSON.parse(text.replace(/^\uFEFF/, "")) as { agents: Record<string, unknown> };
  raw.agents = Object.hasOwn(raw.agents, name) ? { ...raw.agents, [name]: value } : insertKey(raw.agents, name, value, byName);
  return JSON.stringify(raw, null, 2) + "\n";
}

const format = (agents: Record<string, unknown>) => JSON.stringify({ name: "team", agents }, null, 2) + "\n";

describe("entrySplice", () => {
  it("gives the bytes of a whole rewrite for a file agentpkg wrote: replace, insert first/middle/last, unsorted, empty", () => {
    const sorted = format({ b: entry("1.0.0"), d: entry("2.0.0"), f: entry("3.0.0") });
    const cases: [string, string][] = [
      [sorted, "d"],
      [sorted, "a"],
      [sorted, "c"],
      [sorted, "g"],
      [format({ z: entry("1.0.0"), a: entry("1.0.0") }), "m"],
      [format({}), "a"],
    ];
    for (const [text, name] of cases) {
      const value = entry("9.9.9", `new "${name}" \u2028 é\n<x>`);
      const { out } = spliced(text, name, value);
      expect(out, `${name} in ${text.length} bytes`).toBe(rewritten(text, name, value));
      expect(parseRegistryJson(out, "r").agents[name]!.versions["9.9.9"]!.sha256).toBe(SHA);
    }
  });

  it("keeps every other byte of a file in another style (CRLF, tabs, a BOM, no final newline, escaped names)", () => {
    const text = '\uFEFF{\r\n\t"name": "team",\r\n\t"agents": {\r\n\t\t"\\u0061-one":  { "versions": {}, "tags": {} } ,\r\n\t\t"b": {"versions":{}}\r\n\t},\r\n\t"x": [1, "}"]\r\n}';
    for (const name of ["a-one", "b", "c", "a"]) {
      const value = entry("1.0.0");
      const { out, start, end } = spliced(text, name, value);
      const before = Buffer.from(text);
      const after = Buffer.from(out);
      expect(after.subarray(0, start)).toEqual(before.subarray(0, start));
      expect(after.subarray(after.length - (before.length - end))).toEqual(before.subarray(end));
      expect(JSON.parse(out.slice(1))).toEqual(JSON.parse(rewritten(text, name, value)));
      expect(Object.keys(parseRegistryJson(out.slice(1), "r").agents)).toEqual(Object.keys(JSON.parse(rewritten(text, name, value)).agents));
    }
  });
});

describe("withRegistryJsonFile", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "agentpkg-regfile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const open = <T>(text: string, fn: Parameters<typeof withRegistryJsonFile<T>>[1]) => {
    writeFileSync(path.join(dir, "registry.json"), text);
    return withRegistryJsonFile({ dir, label: "r", remote: null }, fn);
  };

  it("reads one entry and writes the file with it changed", async () => {
    const text = format({ a: entry("1.0.0"), b: entry("2.0.0") });
    const out = await open(text, async (reg) => {
      expect(reg.count).toBe(2);
      expect(reg.entry("c")).toBeUndefined();
      const b = reg.entry("b")!;
      b.deprecated = "gone";
      return Buffer.concat([...reg.withEntry("b", b)]).toString("utf8");
    });
    expect(out).toBe(rewritten(text, "b", { ...entry("2.0.0"), deprecated: "gone" }));
  });

  it("refuses a registry.json parseRegistryJson refuses, with its message, whichever entry is wrong", async () => {
    const bad = [
      format({ a: entry("1.0.0") }).replace('"tags": {', '"tags": { nope'),
      format({ a: entry("1.0.0"), b: { ...entry("1.0.0"), tags: { latest: "2.0.0" } } }),
      format({ a: entry("1.0.0"), b: { versions: { "1.0.0": { path: "../x", sha256: SHA } } } }),
    ];
    for (const text of bad) {
      const expected = (() => {
        try {
          parseRegistryJson(text, "r");
        } catch (err) {
          return (err as Error).message;
        }
        throw new Error("expected parseRegistryJson to refuse");
      })();
      await expect(open(text, async () => "opened")).rejects.toThrow(expect.objectContaining({ code: "E_REGISTRY_INVALID", message: expected }));
    }
  });
});
