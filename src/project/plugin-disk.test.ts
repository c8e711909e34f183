import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../util/hash.js";
import { stableJson } from "../util/json.js";
import { hashPluginTargets, readTarget, untrackedIn } from "./plugin-disk.js";
import { scopeAt, type Scope } from "./scope.js";

let root: string;
let scope: Scope;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-plugin-disk-"));
  scope = scopeAt(root, false);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("hashPluginTargets / readTarget", () => {
  const server = { command: "node", args: ["x.js"] };

  it("hashes files and shared-file entries (an entry by its canonical JSON); absent ones are null", async () => {
    write(".claude/commands/kit/greet.md", "hi\n");
    write(".mcp.json", JSON.stringify({ mcpServers: { s: server, mine: { command: "m" } } }, null, 4));
    const { hashes, warnings } = hashPluginTargets(scope, [".claude/commands/kit/greet.md", ".claude/skills/a/SKILL.md", ".mcp.json#mcpServers/s", ".mcp.json#mcpServers/gone"]);
    expect(warnings).toEqual([]);
    expect(Object.fromEntries(hashes)).toEqual({
      ".claude/commands/kit/greet.md": sha256("hi\n"),
      ".claude/skills/a/SKILL.md": null,
      ".mcp.json#mcpServers/s": sha256(stableJson(server)),
      ".mcp.json#mcpServers/gone": null,
    });
    expect((await readTarget(scope, ".mcp.json#mcpServers/s"))?.toString()).toBe(stableJson(server));
    expect(await readTarget(scope, ".claude/skills/a/SKILL.md")).toBeNull();
  });

  it("counts the entries of a shared file that is not JSON as missing, with a warning, and still hashes the rest", () => {
    write(".claude/settings.json", "{ not json");
    write(".mcp.json", JSON.stringify({ mcpServers: { s: server } }));
    const { hashes, warnings } = hashPluginTargets(scope, [".claude/settings.json#hooks/Stop/0123456789ab", ".mcp.json#mcpServers/s"]);
    expect(hashes.get(".claude/settings.json#hooks/Stop/0123456789ab")).toBeNull();
    expect(hashes.get(".mcp.json#mcpServers/s")).toBe(sha256(stableJson(server)));
    expect(hashes.has(".mcp.json")).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^\.claude\/settings\.json is not valid JSON.*: the plugin entries in it count as missing$/)]);
  });
});

describe("untrackedIn", () => {
  it("lists files no lock entry owns in the folders, symlinks included, but not agentpkg's backups and temp files", () => {
    write(".claude/skills/alpha/SKILL.md", "s");
    write(".claude/skills/alpha/notes/mine.txt", "m");
    write(".claude/skills/alpha/SKILL.md.orig", "b");
    write(".claude/skills/alpha/.SKILL.md.123.0badf00d.agentpkg-tmp", "t");
    fs.symlinkSync("/etc/hostname", path.join(root, ".claude/skills/alpha/link"));
    write(".claude/skills/other/SKILL.md", "not walked");
    const tracked = new Set([".claude/skills/alpha/SKILL.md"]);
    expect(untrackedIn(scope, [".claude/skills/alpha", ".claude/commands/none"], tracked)).toEqual([".claude/skills/alpha/link", ".claude/skills/alpha/notes/mine.txt"]);
  });
});
