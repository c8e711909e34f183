import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRegularFileIfExists, refusal, tryReadRegularFile } from "./safe-read.js";

let dir: string;
const at = (name: string) => path.join(dir, name);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-read-"));
  fs.writeFileSync(at("file.txt"), "hello\n");
  fs.symlinkSync(at("file.txt"), at("link.txt"));
  fs.symlinkSync("/dev/zero", at("zero"));
  fs.symlinkSync("/dev/null", at("null"));
  fs.mkdirSync(at("folder"));
  execFileSync("mkfifo", [at("fifo")]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("tryReadRegularFile", () => {
  it("reads a regular file, and one behind a symlink", () => {
    expect(tryReadRegularFile(at("file.txt"), { limit: 100 })).toEqual({ ok: true, data: Buffer.from("hello\n") });
    expect(tryReadRegularFile(at("link.txt"), { limit: 100 })).toEqual({ ok: true, data: Buffer.from("hello\n") });
  });

  it("reads a file of exactly the limit and refuses one byte more", () => {
    expect(tryReadRegularFile(at("file.txt"), { limit: 6 }).ok).toBe(true);
    expect(tryReadRegularFile(at("file.txt"), { limit: 5 })).toEqual({ ok: false, kind: "too-large", size: 6 });
  });

  it("says missing for an absent path or a path through a file", () => {
    expect(tryReadRegularFile(at("nope"), { limit: 100 })).toEqual({ ok: false, kind: "missing" });
    expect(tryReadRegularFile(at("file.txt/x"), { limit: 100 })).toEqual({ ok: false, kind: "missing" });
  });

  it("never reads a device, a FIFO or a folder", () => {
    expect(tryReadRegularFile(at("zero"), { limit: 100 })).toMatchObject({ ok: false, kind: "special" });
    expect(tryReadRegularFile(at("null"), { limit: 100 })).toMatchObject({ ok: false, kind: "special" });
    expect(tryReadRegularFile(at("fifo"), { limit: 100 })).toMatchObject({ ok: false, kind: "special" }); // would block forever if opened plainly
    expect(tryReadRegularFile(at("folder"), { limit: 100 })).toMatchObject({ ok: false, kind: "folder" });
  });

  it("with noFollow refuses a symlink, even to a regular file", () => {
    expect(tryReadRegularFile(at("link.txt"), { limit: 100, noFollow: true })).toMatchObject({ ok: false, kind: "symlink" });
    expect(tryReadRegularFile(at("file.txt"), { limit: 100, noFollow: true }).ok).toBe(true);
  });

  it("stops at limit + 1 bytes when a file is longer than its stat says", () => {
    // /proc files stat as 0 bytes but have content: the reader must not trust the stat size
    const r = tryReadRegularFile("/proc/self/status", { limit: 10 });
    expect(r).toMatchObject({ ok: false, kind: "too-large" });
    expect(tryReadRegularFile("/proc/self/status", { limit: 1 << 20 })).toMatchObject({ ok: true, data: expect.any(Buffer) });
  });
});

describe("readRegularFileIfExists", () => {
  it("returns undefined for a missing file and throws one line naming the file otherwise", () => {
    expect(readRegularFileIfExists(at("nope"), { limit: 10, display: "x" })).toBeUndefined();
    expect(() => readRegularFileIfExists(at("zero"), { limit: 10, display: ".claude/agentpkg.lock" })).toThrow(
      ".claude/agentpkg.lock is not a regular file (a device, pipe or socket); nothing was changed",
    );
    expect(() => readRegularFileIfExists(at("file.txt"), { limit: 3, display: "f" })).toThrow("f is 6 bytes, over the 3-byte limit; nothing was changed");
  });
});

describe("refusal", () => {
  it("names what the file should be and keeps the code asked for", () => {
    const err = refusal({ kind: "folder" }, 1, { display: "a.md", what: "an agent file", code: "E_IO", suffix: "" });
    expect(err.message).toBe("a.md is a folder, not an agent file");
    expect(err.code).toBe("E_IO");
    expect(err.exitCode).toBe(1);
  });
});
