import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTrustedOwner, resolveScope } from "./scope.js";

describe("isTrustedOwner", () => {
  it.each([
    [1000, { uid: 1000 }, true],
    [0, { uid: 1000 }, true],
    [1001, { uid: 1000 }, false],
    [1000, { uid: 0 }, false],
    [1000, { uid: 0, sudoUid: 1000 }, true],
    [1001, { uid: 0, sudoUid: 1000 }, false],
    [1000, { uid: 1001, sudoUid: 1000 }, false],
  ])("a file of uid %i, run as %j: %s", (uid, user, ok) => expect(isTrustedOwner(uid, user)).toBe(ok));
});

describe("resolveScope ownership", () => {
  let root: string;
  let parent: string;
  let child: string;
  /** Who agentpkg runs as, such that the parent's files belong to someone else (as root: chown them away). */
  let user: { uid: number };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-scope-"));
    parent = path.join(root, "shared");
    child = path.join(parent, "mine");
    fs.mkdirSync(path.join(parent, ".claude"), { recursive: true });
    fs.mkdirSync(child);
    fs.writeFileSync(path.join(parent, ".claude", "agentpkg.json"), "{}");
    const me = process.geteuid!();
    if (me === 0) {
      fs.chownSync(path.join(parent, ".claude"), 12345, 12345);
      fs.chownSync(path.join(parent, ".claude", "agentpkg.json"), 12345, 12345);
      user = { uid: 0 };
    } else user = { uid: me + 1 }; // files are ours, so to a user of another uid they are someone else's
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("refuses a parent's project owned by another user, naming the file, its owner and the way out", () => {
    expect(() => resolveScope({ cwd: child, home: os.homedir(), global: false, user })).toThrow(
      expect.objectContaining({
        code: "E_UNSAFE",
        message: expect.stringMatching(new RegExp(`^${path.join(parent, ".claude")} in a parent folder is owned by another user \\(uid \\d+; you are uid ${user.uid}\\)`)),
        hint: expect.stringContaining(`agentpkg -C ${parent}`),
      }),
    );
  });

  it("takes the same project as the working folder (an explicit choice), and where there are no uids", () => {
    expect(resolveScope({ cwd: parent, home: os.homedir(), global: false, user }).root).toBe(parent);
    expect(resolveScope({ cwd: child, home: os.homedir(), global: false, user: undefined }).root).toBe(parent);
  });

  it("a project of the user's own below the foreign one is found first", () => {
    fs.mkdirSync(path.join(child, ".claude"));
    fs.writeFileSync(path.join(child, ".claude", "agentpkg.json"), "{}");
    fs.mkdirSync(path.join(child, "sub"));
    const me = { uid: process.geteuid!() };
    expect(resolveScope({ cwd: path.join(child, "sub"), home: os.homedir(), global: false, user: me }).root).toBe(child);
  });
});
