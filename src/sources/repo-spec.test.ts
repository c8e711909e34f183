import path from "node:path";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { mayNameRepository, parseRepoSpec, registryNameFor } from "./repo-spec.js";

const cwd = path.join(os.tmpdir(), "agentpkg-no-such-folder-here");
const home = "/home/u";
const parse = (arg: string) => parseRepoSpec(arg, cwd, home);

describe("repository specs of install", () => {
  it("leaves agent specs alone", () => {
    for (const spec of ["ml-engineer", "ml-engineer@^1.2", "kit:greet", "kit:greet@1.0.0", "reviewer@latest", "team/x@^1", "alpha:reviewer"]) {
      expect(mayNameRepository(spec), spec).toBe(false);
      expect(parse(spec), spec).toBeUndefined();
    }
  });

  it("reads the url forms users type", () => {
    expect(parse("https://github.com/acme/agents.git#reviewer")).toEqual({ typed: "https://github.com/acme/agents.git", url: "https://github.com/acme/agents.git", pick: "reviewer", shorthand: false });
    expect(parse("git+https://github.com/acme/agents.git")).toMatchObject({ url: "https://github.com/acme/agents.git", pick: undefined });
    expect(parse("git+ssh://git@github.com/acme/agents.git#x@^1.2")).toMatchObject({ url: "ssh://git@github.com/acme/agents.git", pick: "x@^1.2" });
    expect(parse("git@github.com:acme/agents.git#x")).toMatchObject({ url: "git@github.com:acme/agents.git", pick: "x" });
    expect(parse("file:///srv/agents#x")).toMatchObject({ url: "file:///srv/agents" });
    expect(parse("github:acme/agents#x")).toMatchObject({ url: "https://github.com/acme/agents.git", shorthand: false });
    expect(parse("acme/agents")).toMatchObject({ url: "https://github.com/acme/agents.git", shorthand: true });
    expect(parse("acme/agents#x")).toMatchObject({ url: "https://github.com/acme/agents.git", shorthand: false });
    expect(parse(os.tmpdir())).toMatchObject({ url: os.tmpdir() });
    expect(() => parse("/no/such/folder")).toThrow("is no folder");

    expect(parseRepoSpec("../#a", path.join(os.tmpdir(), "sub"), home)).toMatchObject({ url: path.resolve(os.tmpdir()), pick: "a" });
    expect(parseRepoSpec("~/", cwd, os.tmpdir())).toMatchObject({ url: os.tmpdir() });
  });

  it("refuses what is no repository, with a usage error", () => {
    for (const [arg, why] of [
      ["reviewer#x", "reviewer is not a repository"],
      ["acme/agents#", "after # comes one agent"],
      ["acme/agents#a/b", "after # comes one agent"],
      ["http://example.com/agents.git#x", "scheme http:// is not allowed"],
      ["https://example.com/registry.tgz#x", "not archives"],
      ["https://user:secret@example.com/a.git#x", "password or token"],
    ] as const) {
      expect(() => parse(arg), arg).toThrow(why);
    }
  });

  it("names a registry after the repository", () => {
    expect(registryNameFor("https://github.com/acme/Claude_Agents.git")).toBe("claude-agents");
    expect(registryNameFor("git@github.com:acme/agents.git")).toBe("agents");
    expect(registryNameFor("/srv/agents/")).toBe("agents");
    expect(registryNameFor("file:///srv/__")).toBeUndefined();
  });
});
