import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSwaps, realSwapFs, SwapError, type SwapFs } from "./swap.js";

let dir: string;
const at = (name: string) => path.join(dir, name);
const write = (name: string, text: string) => fs.writeFileSync(at(name), text);
const read = (name: string) => (fs.existsSync(at(name)) ? fs.readFileSync(at(name), "utf8") : null);
const listing = () => fs.readdirSync(dir).sort();

/** The real calls, except that the given call fails on the given target. */
function failing(call: keyof SwapFs, on: string, code = "EPERM"): SwapFs {
  const fail = (target: string) => {
    if (path.basename(target) === on) throw Object.assign(new Error(`${code}: refused`), { code });
  };
  return {
    ...realSwapFs,
    [call]: (a: string, b?: string) => {
      fail(call === "rename" || call === "link" || call === "copy" ? b! : a);
      return (realSwapFs[call] as (a: string, b?: string) => unknown)(a, b);
    },
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-swap-"));
  write("a.md", "a1");
  write("b.md", "b1");
  write("gone.md", "g1");
  write("a.tmp", "a2");
  write("b.tmp", "b2");
  write("new.tmp", "n2");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("FileSwaps", () => {
  it("replaces, adds and deletes; commit leaves no old copy", () => {
    const s = new FileSwaps();
    s.put(at("a.md"), at("a.tmp"));
    s.put(at("new.md"), at("new.tmp"));
    s.put(at("gone.md"), null);
    s.put(at("never-there.md"), null);
    s.commit();
    expect([read("a.md"), read("new.md"), read("gone.md")]).toEqual(["a2", "n2", null]);
    expect(listing()).toEqual(["a.md", "b.md", "b.tmp", "new.md"]);
  });

  it.each([
    ["a replace", "rename", "b.md"],
    ["a delete", "rm", "gone.md"],
  ] as const)("puts every earlier file back when %s fails, and names the file", (_what, call, on) => {
    const s = new FileSwaps(failing(call, on));
    let thrown: unknown;
    try {
      s.put(at("a.md"), at("a.tmp"));
      s.put(at("new.md"), at("new.tmp"));
      s.put(at("gone.md"), null);
      s.put(at("b.md"), at("b.tmp"));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SwapError);
    expect((thrown as SwapError).file).toBe(at(on));
    expect(s.rollback()).toEqual([]);
    expect([read("a.md"), read("b.md"), read("gone.md"), read("new.md")]).toEqual(["a1", "b1", "g1", null]);
    // only the staged temps not yet used are left (the caller removes those); no old copy anywhere
    expect(listing().filter((f) => f.includes("agentpkg-tmp"))).toEqual([]);
  });

  it("keeps the old bytes by copying where hard links are refused", () => {
    const fsx: SwapFs = { ...realSwapFs, link: () => { throw Object.assign(new Error("no links"), { code: "EPERM" }); } };
    const t = new FileSwaps(fsx);
    t.put(at("a.md"), at("a.tmp"));
    expect(read("a.md")).toBe("a2");
    expect(t.rollback()).toEqual([]);
    expect(read("a.md")).toBe("a1");
    expect(listing().filter((f) => f.includes("agentpkg-tmp"))).toEqual([]);
  });

  it("reports the files it could not put back", () => {
    let refuse = false;
    const fsx: SwapFs = {
      ...realSwapFs,
      rename: (from, to) => {
        if (refuse && path.basename(to) === "a.md") throw Object.assign(new Error("EIO"), { code: "EIO" });
        realSwapFs.rename(from, to);
      },
    };
    const s = new FileSwaps(fsx);
    s.put(at("a.md"), at("a.tmp"));
    s.put(at("b.md"), at("b.tmp"));
    refuse = true;
    expect(s.rollback()).toEqual([at("a.md")]);
    expect([read("a.md"), read("b.md")]).toEqual(["a2", "b1"]);
  });
});
