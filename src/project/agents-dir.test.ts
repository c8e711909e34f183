import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listAgentFiles } from "./agents-dir.js";
import { scopeAt } from "./scope.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("listAgentFiles", () => {
  it("leaves out the files it is told are tracked, and lists everything else as a full walk does", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-walk-"));
    dirs.push(root);
    const agents = path.join(root, ".claude/agents");
    fs.mkdirSync(path.join(agents, "team/deep"), { recursive: true });
    for (const f of ["a.md", "b.md", "mine.md", "notes.txt", "team/c.md", "team/deep/d.md"]) fs.writeFileSync(path.join(agents, f), f);
    fs.symlinkSync(path.join(agents, "mine.md"), path.join(agents, "link.md"));
    fs.symlinkSync(path.join(agents, "team"), path.join(agents, "team-link")); // the same folder again: walked once
    fs.mkdirSync(path.join(agents, "folder.md"));
    const scope = scopeAt(root, false);
    const all = await listAgentFiles(scope);
    expect(all).toEqual([".claude/agents/a.md", ".claude/agents/b.md", ".claude/agents/link.md", ".claude/agents/mine.md", ".claude/agents/team/c.md", ".claude/agents/team/deep/d.md"]);
    const tracked = new Set([".claude/agents/a.md", ".claude/agents/team/c.md", ".claude/settings.json"]);
    expect(await listAgentFiles(scope, tracked)).toEqual(all.filter((f) => !tracked.has(f)));
  });
});
