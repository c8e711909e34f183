import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/seeded-random.js";
import { parseMarketplaceJson } from "./marketplace-json.js";
import { commonPrefix, commonSuffix, MarketplaceVersions, scanPlugins } from "./marketplace-versions.js";

const plain = (m: ReturnType<typeof parseMarketplaceJson> | undefined) => m && { name: m.name, pluginRoot: m.pluginRoot, warnings: m.warnings, plugins: m.plugins.map((p) => ({ ...p })) };

describe("scanPlugins", () => {
  it("finds the plugins array and its elements, strings with brackets and escapes included", () => {
    const text = Buffer.from(`\ufeff{"name":"m","x":{"a":[1,"]"]},"plugins":[ {"name":"a","d":"}\\\\\\"{"} , "junk" ,3,{"name":"b"}],"z":null}`);
    const scan = scanPlugins(text)!;
    expect(scan.spans.map(([s, e]) => text.toString("utf8", s, e))).toEqual([`{"name":"a","d":"}\\\\\\"{"}`, `"junk"`, "3", `{"name":"b"}`]);
    expect(text[scan.open]).toBe(0x5b);
    expect(text[scan.close]).toBe(0x5d);
  });

  it("gives up on what it cannot be sure of (the whole file is parsed instead)", () => {
    expect(scanPlugins(Buffer.from(`{"plug\\u0069ns":[]}`))).toBeUndefined();
    expect(scanPlugins(Buffer.from(`[1]`))).toBeUndefined();
    expect(scanPlugins(Buffer.from(`{"plugins":[{"a":1}`))).toBeUndefined();
  });
});

describe("commonPrefix / commonSuffix", () => {
  it("measure across the 4 KiB chunks", () => {
    const a = Buffer.alloc(10_000, "x");
    const b = Buffer.from(a);
    b[9000] = 0x79;
    expect(commonPrefix(a, b)).toBe(9000);
    expect(commonSuffix(a, b, 10_000 - 9000)).toBe(999);
    expect(commonPrefix(a, a.subarray(0, 5000))).toBe(5000);
  });
});

describe("MarketplaceVersions", () => {
  it("parses every version of a long random history exactly as a whole parse would", () => {
    const seed = 20260115;
    const rnd = seededRandom(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    let plugins: unknown[] = Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, source: i % 2 ? `./plugins/p${i}` : { source: "url", url: `https://h/p${i}.git`, sha: "a".repeat(40) }, description: `d ${i} ]}["` }));
    const versions = new MarketplaceVersions();
    let reused = 0;
    let before: ReturnType<typeof parseMarketplaceJson> | undefined;
    for (let step = 0; step < 400; step++) {
      const kind = pick(["edit", "edit", "edit", "add", "remove", "move", "top", "broken", "nameless", "dup"]);
      const next = [...plugins];
      const i = Math.floor(rnd() * next.length);
      if (kind === "edit") next[i] = { ...(next[i] as object), version: `1.${step}.0`, description: `é ${step} "q" \\ }` };
      if (kind === "add") next.splice(i, 0, { name: `new${step}`, source: `./n${step}` });
      if (kind === "remove" && next.length > 1) next.splice(i, 1);
      if (kind === "move") next.push(next.splice(i, 1)[0]);
      if (kind === "nameless") next.splice(i, 0, { source: "./x" });
      if (kind === "dup") next.splice(i, 0, { ...(next[0] as object) });
      const doc = { name: kind === "top" ? `m${step}` : "m", owner: { name: "o" }, plugins: next };
      const text = kind === "broken" ? JSON.stringify(doc, null, 2).replace(/,\n/, ",,\n") : JSON.stringify(doc, null, step % 50 === 49 ? undefined : 2);
      const got = versions.next(Buffer.from(text));
      if (kind === "broken") {
        expect(got, `seed ${seed} step ${step}`).toBeUndefined();
        continue;
      }
      plugins = next;
      const want = parseMarketplaceJson(text, "");
      expect(plain(got), `seed ${seed} step ${step}`).toEqual(plain(want));
      if (before) reused += got!.plugins.filter((p) => before!.byName.get(p.name) === p).length;
      before = got;
    }
    expect(reused).toBeGreaterThan(1000); // unchanged entries are the previous objects, not parsed again
  });
});
