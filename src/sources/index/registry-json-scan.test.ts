import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRegistryJson } from "../git-registry/registry-json.js";
import { scanRegistryJson } from "./registry-json-scan.js";
import { FileBytes } from "./scan-bytes.js";

const SHA = "b".repeat(64);
const entry = (v = "1.0.0") => ({ description: 'say "hi" \\ {not a brace} [nor this]', versions: { [v]: { path: `agents/x/${v}.md`, sha256: SHA } }, tags: { latest: v } });

/** What the scanner found, parsed: must equal what JSON.parse of the whole file gives. */
function scanned(text: string, label = "r") {
  const bytes = Buffer.from(text);
  const s = scanRegistryJson(bytes, label);
  return { name: s.name, description: s.description, count: s.count, agents: [...s.agents].map(([n, [a, b]]) => [n, JSON.parse(bytes.toString("utf8", a, b))]) };
}

describe("scanRegistryJson", () => {
  it("finds every entry exactly as JSON.parse does, whatever the spacing and escapes", () => {
    const registry = { registryVersion: 1, name: "team", description: "d", extra: [1, { a: "}" }], agents: { "a-1": entry(), "b.2": entry("2.0.0"), c_3: entry() } };
    for (const text of [JSON.stringify(registry), JSON.stringify(registry, null, 2), "\uFEFF" + JSON.stringify(registry, null, "\t") + "\n\n"]) {
      const got = scanned(text);
      expect(got).toMatchObject({ name: "team", description: "d", count: 3 });
      expect(Object.fromEntries(got.agents)).toEqual(registry.agents);
      expect(got.agents.map(([n]) => n)).toEqual(Object.keys(JSON.parse(text.replace(/^\uFEFF/, "")).agents));
    }
  });

  it("reads keys with escapes, and lets a later duplicate win in the first one's place (as JSON.parse)", () => {
    const text = '{"agents":{"a":{"v":1},"b":{"v":2},"\\u0061":{"v":3}},"name":"n"}';
    expect(scanned(text).agents).toEqual([
      ["a", { v: 3 }],
      ["b", { v: 2 }],
    ]);
    expect(Object.entries(JSON.parse(text).agents)).toEqual(scanned(text).agents);
  });

  it("checks the top level and the names as parseRegistryJson does", () => {
    for (const text of ['{"agents":[]}', '{"agents":null}', "{}", '{"registryVersion":2,"agents":{}}', '{"agents":{"../x":{}}}', "[]", '"x"']) {
      let expected = "";
      try {
        parseRegistryJson(text, "r");
      } catch (err) {
        expected = (err as Error).message;
      }
      expect(expected).not.toBe("");
      expect(() => scanRegistryJson(Buffer.from(text), "r")).toThrow(expected);
    }
  });

  it("refuses broken JSON around the entries with E_REGISTRY_INVALID", () => {
    for (const text of ['{"agents":{"a":{} "b":{}}}', '{"agents":{"a":{}}} x', '{"agents":{"a":{}', '{"agents":{"a:{}}}', '{"name": nope, "agents":{}}', "{ nope", '{"agents":{"a":}}']) {
      expect(() => scanRegistryJson(Buffer.from(text), "r"), text).toThrow(expect.objectContaining({ code: "E_REGISTRY_INVALID", message: expect.stringMatching(/^r registry\.json/) }));
    }
  });

  it("reads a file through a window as it reads a Buffer, whatever the window's edges cross", () => {
    const registry = { name: "w", description: "d\u00e9", agents: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a-${i}`, entry(`1.0.${i}`)])) };
    const text = JSON.stringify(registry, null, 1).replace('"a-3"', '"a-\\u0033x"');
    const dir = mkdtempSync(path.join(tmpdir(), "agentpkg-scan-"));
    try {
      const file = path.join(dir, "registry.json");
      writeFileSync(file, text);
      const whole = scanned(text);
      for (const window of [1, 7, 64, 1 << 20]) {
        const fd = openSync(file, "r");
        try {
          const bytes = new FileBytes(fd, Buffer.byteLength(text), window);
          const s = scanRegistryJson(bytes, "r");
          expect({ name: s.name, description: s.description, count: s.count, agents: [...s.agents].map(([n, [a, b]]) => [n, JSON.parse(bytes.text(a, b))]) }).toEqual(whole);
        } finally {
          closeSync(fd);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
