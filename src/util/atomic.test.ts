import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempNamePid, tempPathFor, writeFileAtomic, writeTemp } from "./atomic.js";

let dir: string;
const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-atomic-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("modes", () => {
  it("a replaced file keeps its mode; a new one gets the default; `mode` overrides", async () => {
    fs.writeFileSync(path.join(dir, "secret.md"), "old", { mode: 0o600 });
    fs.chmodSync(path.join(dir, "secret.md"), 0o600);
    await writeFileAtomic(path.join(dir, "secret.md"), "new");
    expect(mode("secret.md")).toBe(0o600);
    await writeFileAtomic(path.join(dir, "fresh.md"), "new");
    expect(mode("fresh.md")).toBe(0o644 & ~process.umask());
    await writeFileAtomic(path.join(dir, "secret.md.orig"), "copy", { mode: 0o600 });
    expect(mode("secret.md.orig")).toBe(0o600);
    const tmp = await writeTemp(path.join(dir, "secret.md"), "staged");
    expect(fs.statSync(tmp).mode & 0o777).toBe(0o600);
    fs.writeFileSync(path.join(dir, "shared.md"), "old");
    fs.chmodSync(path.join(dir, "shared.md"), 0o664); // wider than the umask lets open() make
    await writeFileAtomic(path.join(dir, "shared.md"), "new");
    expect(mode("shared.md")).toBe(0o664);
    expect(fs.statSync(await writeTemp(path.join(dir, "shared.md"), "staged")).mode & 0o777).toBe(0o664);
  });
});

describe("temp names", () => {
  it("only agentpkg's exact pattern carries a pid", () => {
    expect(tempNamePid(path.basename(tempPathFor("/x/a.md")))).toBe(process.pid);
    expect(tempNamePid(".a.md.4242.0badf00d.agentpkg-tmp")).toBe(4242);
    expect(tempNamePid("notes.agentpkg-tmp")).toBeUndefined();
    expect(tempNamePid(".notes.agentpkg-tmp")).toBeUndefined();
    expect(tempNamePid(".a.md.4242.xyz.agentpkg-tmp")).toBeUndefined();
    expect(tempNamePid("a.md.4242.0badf00d.agentpkg-tmp")).toBeUndefined();
  });
});
