import { describe, expect, it } from "vitest";
import { craftTar, type RawEntry } from "../../test/e2e/crafted-tar.js";
import { sha256 } from "../util/hash.js";
import { stableStringify } from "../util/json.js";
import { serializeLockfile, type Lockfile } from "../project/lockfile.js";
import { buildBundle, bundleIndex } from "./pack.js";
import { readBundle } from "./read-bundle.js";

const A = Buffer.from("---\nname: a\ndescription: A\n---\nYou are a.\n");
const B = Buffer.from("---\nname: b\ndescription: B\n---\nYou are b.\n");
const entry = (name: string, content: Buffer) => ({
  version: "1.0.0",
  registry: "team",
  url: "file:///srv/agents",
  commit: "a".repeat(40),
  path: `agents/${name}/1.0.0.md`,
  sha256: sha256(content),
  file: `.claude/agents/${name}.md`,
});
const lock: Lockfile = { lockfileVersion: 1, agents: { a: entry("a", A), b: entry("b", B) }, plugins: {} };
const lockText = serializeLockfile(lock);
const content = new Map([
  [sha256(A), A],
  [sha256(B), B],
]);
const manifestText = JSON.stringify({ registries: { team: "file:///srv/agents" }, agents: { a: "^1.0.0", b: "^1.0.0" } }, null, 2) + "\n";

/** The entries of a valid bundle, to be altered one way or another. */
function entries(): RawEntry[] {
  return [
    { path: "agentpkg.json", data: manifestText },
    { path: "agentpkg.lock", data: lockText },
    { path: `content/${sha256(A)}`, data: A },
    { path: `content/${sha256(B)}`, data: B },
    { path: "index.json", data: stableStringify(bundleIndex(lock)) },
  ];
}

describe("bundles", () => {
  it("pack is deterministic and reads back verified", async () => {
    const one = buildBundle({ lockText, lock, manifestText, content });
    const two = buildBundle({ lockText, lock, manifestText, content: new Map([...content].reverse()) });
    expect(two.equals(one)).toBe(true);
    const b = await readBundle(one, "b.tgz");
    expect(b.lockText).toBe(lockText);
    expect(b.manifestText).toBe(manifestText);
    expect(b.lock).toEqual(lock);
    expect(b.content.get(sha256(A))?.equals(A)).toBe(true);
  });

  it("a crafted archive with the same entries reads the same", async () => {
    const b = await readBundle(craftTar(entries()), "b.tgz");
    expect([...b.content.keys()].sort()).toEqual([...content.keys()].sort());
  });

  const cases: [string, (e: RawEntry[]) => RawEntry[], RegExp][] = [
    ["a tampered agent", (e) => e.map((x) => (x.path === `content/${sha256(A)}` ? { ...x, data: Buffer.concat([A, Buffer.from("tools: Bash\n")]) } : x)), /sha256 mismatch for content\/[0-9a-f]{64} \(a@1\.0\.0\)/],
    ["a missing agent", (e) => e.filter((x) => x.path !== `content/${sha256(B)}`), /has no content for b@1\.0\.0/],
    ["an extra file", (e) => [...e, { path: "content/evil.md", data: "x" }], /unexpected entry "content\/evil\.md"/],
    ["content no index names", (e) => [...e, { path: `content/${sha256("x")}`, data: "x" }], /is not named by its index/],
    ["an index that disagrees with the lock", (e) => e.map((x) => (x.path === "index.json" ? { ...x, data: String(x.data).replace('"1.0.0"', '"9.9.9"') } : x)), /index\.json and agentpkg\.lock disagree about a/],
    ["an index listing an unknown agent", (e) => e.map((x) => (x.path === "index.json" ? { ...x, data: JSON.stringify({ bundleVersion: 1, agents: [{ name: "zz" }] }) } : x)), /lists zz, which agentpkg\.lock does not/],
    ["a future bundleVersion", (e) => e.map((x) => (x.path === "index.json" ? { ...x, data: JSON.stringify({ bundleVersion: 2, agents: [] }) } : x)), /bundleVersion 2 is not supported/],
    ["no lockfile", (e) => e.filter((x) => x.path !== "agentpkg.lock"), /has no agentpkg\.lock/],
    ["a lockfile pointing outside .claude/agents", (e) => e.map((x) => (x.path === "agentpkg.lock" ? { ...x, data: lockText.replace(".claude/agents/a.md", "../../a.md") } : x)), /agents\.a\.file must be a \.md file inside \.claude\/agents\//],
    ["an oversized agent", (e) => [...e, { path: `content/${"0".repeat(64)}`, data: Buffer.alloc(1024 * 1024 + 1) }], /over the 1048576-byte limit/],
  ];
  it.each(cases)("refuses %s", async (_what, alter, message) => {
    await expect(readBundle(craftTar(alter(entries())), "b.tgz")).rejects.toMatchObject({ message: expect.stringMatching(message) });
  });
});
