import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, git, Sandbox, snapshot } from "./helpers.js";

// Issue #14, items 4-7: the git environment, lock paths, ownership of a parent's manifest, and
// credentials in registry URLs. Each is reproduced as the issue found it, through the built CLI.

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(() => sb.cleanup());

/** Every ref of a repository, with its object id. */
const refs = (dir: string) => git(dir, ["for-each-ref", "--format=%(objectname) %(refname)"]);

describe("git environment (#14.4): agentpkg's git never runs in the caller's repository", () => {
  /**
   * A user's repository with a linked worktree, and the variables git sets for a hook running in that
   * worktree (plus the index and object variables a hook or a wrapper can set).
   */
  function hookEnv(): { repo: string; env: Record<string, string> } {
    const repo = path.join(sb.root, "mine");
    fs.mkdirSync(repo);
    git(repo, ["init", "-q", "-b", "main"]);
    fs.writeFileSync(path.join(repo, "README.md"), "mine\n");
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "mine"]);
    const wt = path.join(sb.root, "mine-wt");
    git(repo, ["worktree", "add", "-q", "-b", "feature", wt]);
    const gitDir = path.join(repo, ".git", "worktrees", "mine-wt");
    return {
      repo,
      env: {
        GIT_DIR: gitDir,
        GIT_WORK_TREE: wt,
        GIT_INDEX_FILE: path.join(gitDir, "index"),
        GIT_COMMON_DIR: path.join(repo, ".git"),
        GIT_OBJECT_DIRECTORY: path.join(repo, ".git", "objects"),
        GIT_PREFIX: "",
      },
    };
  }

  it("a cold registry add, an install, an update and a publish leave the user's repository untouched", async () => {
    const reg = sb.registry();
    reg.publish("x", [{ version: "1.0.0", content: agentText("x") }], { latest: "1.0.0" });
    const { repo, env } = hookEnv();
    const before = { refs: refs(repo), files: snapshot(repo), objects: git(repo, ["count-objects", "-v"]) };

    const add = await sb.run(["registry", "add", "team", reg.url], { env });
    expect(add.stderr).toBe("");
    expect(add.stdout).toMatch(/registry team -> .* \(registry, 1 agents\)/);
    const install = await sb.run(["install", "team/x"], { env });
    expect(install.code, install.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toBe(agentText("x"));

    // a fetch into the warm mirror, then a publish into the registry's own checkout
    reg.publish("x", [{ version: "1.1.0", content: agentText("x", { body: "You are x, 1.1.\n" }) }], { latest: "1.1.0" });
    const update = await sb.run(["upgrade", "--yes"], { env });
    expect(update.code, update.stderr).toBe(0);
    expect(sb.file(".claude/agents/x.md")).toContain("You are x, 1.1.");
    fs.writeFileSync(path.join(sb.root, "y.md"), agentText("y"));
    const identity = { GIT_AUTHOR_NAME: "Me", GIT_AUTHOR_EMAIL: "me@example.com", GIT_COMMITTER_NAME: "Me", GIT_COMMITTER_EMAIL: "me@example.com" };
    const publish = await sb.run(["publish", path.join(sb.root, "y.md"), "--registry", reg.dir], { env: { ...env, ...identity } });
    expect(publish.code, publish.stderr).toBe(0);
    expect(git(reg.dir, ["log", "-1", "--format=%s"])).toBe("publish y@1.0.0");

    expect(refs(repo)).toBe(before.refs);
    expect(git(repo, ["count-objects", "-v"])).toBe(before.objects);
    expect(snapshot(repo)).toEqual(before.files);
  });
});
