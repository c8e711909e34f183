import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentDefinitions, agentsFolders, shadowedAgents, shadowedAmong, type AgentDefinition } from "./shadowing.js";

const def = (name: string, file: string, rank: number, level: AgentDefinition["level"] = "project"): AgentDefinition => ({ name, file, rank, level });

describe("agentsFolders", () => {
  it("walks from the working folder up to (not including) home, then the user's folder", () => {
    expect(agentsFolders("/home/u/proj/sub", "/home/u", "/home/u/.claude/agents")).toEqual([
      { level: "project", dir: "/home/u/proj/sub/.claude/agents" },
      { level: "project", dir: "/home/u/proj/.claude/agents" },
      { level: "user", dir: "/home/u/.claude/agents" },
    ]);
  });

  it("stops at the file system root outside home", () => {
    expect(agentsFolders("/tmp/p", "/home/u", "/cfg/agents").map((f) => f.dir)).toEqual(["/tmp/p/.claude/agents", "/tmp/.claude/agents", "/.claude/agents", "/cfg/agents"]);
  });
});

describe("shadowedAmong", () => {
  it("the nearest definition wins and hides every farther one", () => {
    const defs = [def("x", "/u/x.md", 2, "user"), def("x", "/p/x.md", 0), def("y", "/p/y.md", 0), def("x", "/parent/x.md", 1)];
    expect(shadowedAmong(defs).map((s) => [s.name, s.winner.file, s.hidden.file])).toEqual([
      ["x", "/p/x.md", "/parent/x.md"],
      ["x", "/p/x.md", "/u/x.md"],
    ]);
  });

  it("two files of one name in one folder are a clash, not shadowing", () => {
    expect(shadowedAmong([def("x", "/p/a.md", 0), def("x", "/p/b.md", 0)])).toEqual([]);
  });
});

describe("shadowedAgents on disk", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-shadow-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, name: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `---\nname: ${name}\ndescription: d\n---\nbody\n`);
  };

  it("reads names from the files, not the file names, and keeps the pairs touching the scope's folder", async () => {
    write("home/proj/.claude/agents/mine.md", "reviewer");
    write("home/.claude/agents/other-file.md", "reviewer");
    write("home/.claude/agents/only-user.md", "solo");
    const folders = agentsFolders(path.join(root, "home/proj"), path.join(root, "home"), path.join(root, "home/.claude/agents"));
    expect((await agentDefinitions(folders)).map((d) => d.name).sort()).toEqual(["reviewer", "reviewer", "solo"]);
    // one folder with agents: nothing to compare, nothing read
    expect(await agentDefinitions(folders.slice(0, 1))).toEqual([]);
    const shadowed = await shadowedAgents(folders, path.join(root, "home/proj/.claude/agents"));
    expect(shadowed.map((s) => [s.name, s.winner.level, path.basename(s.winner.file), s.hidden.level, path.basename(s.hidden.file)])).toEqual([["reviewer", "project", "mine.md", "user", "other-file.md"]]);
    // seen from the user scope, the same pair
    expect((await shadowedAgents(folders, path.join(root, "home/.claude/agents"))).length).toBe(1);
  });
});
