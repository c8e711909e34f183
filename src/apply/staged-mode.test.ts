import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stagedMode } from "./apply.js";

let dir: string;
const file = (name: string, mode?: number) => {
  const f = path.join(dir, name);
  if (mode !== undefined) {
    fs.writeFileSync(f, "x");
    fs.chmodSync(f, mode);
  }
  return f;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-mode-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("stagedMode", () => {
  it.each([
    ["a new file", undefined, false, 0o644],
    ["a new executable", undefined, true, 0o755],
    ["a private agent file", 0o600, false, 0o600],
    ["a group-writable file", 0o664, false, 0o664],
    ["a file that was executable and no longer is", 0o755, false, 0o644],
    ["a private script", 0o600, true, 0o700],
    ["a script someone left without x", 0o644, true, 0o755],
  ])("%s", (_what, now, executable, want) => {
    expect(stagedMode(file("f", now), executable)).toBe(want);
  });
});
