import { describe, expect, it } from "vitest";
import type { Deps } from "../util/deps.js";
import { COMMANDS, createProgram, programFor, subcommandOf } from "./program.js";
import { attachCommands, createRoot } from "./root.js";
import { COMMAND_NAMES, withScopeFlag } from "./output.js";

const deps: Deps = {
  cwd: "/nonexistent",
  home: "/nonexistent-home",
  env: {},
  io: { out: () => undefined, err: () => undefined, isTTY: false, interactive: false, color: false },
  setExitCode: () => undefined,
};

const full = await createProgram(deps);
const fullNames = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);

describe("the command table", () => {
  it("names each command exactly as the command does (its name and aliases), each once", () => {
    const tableNames = COMMANDS.flatMap((c) => c.names);
    expect([...tableNames].sort()).toEqual([...fullNames].sort());
    expect(new Set(tableNames).size).toBe(tableNames.length);
  });

  it.each(COMMANDS.map((c) => [c.names[0]!, c] as const))("%s loads a command with the table's names", async (_name, entry) => {
    const cmd = (await entry.load())(deps);
    attachCommands(createRoot(), [cmd]);
    expect([cmd.name(), ...cmd.aliases()]).toEqual(entry.names);
  });
});

describe("subcommandOf", () => {
  it.each([
    [["install", "x"], "install"],
    [["--json", "-C", "proj", "verify"], "verify"],
    [["--cwd=proj", "-q", "ls"], "ls"],
    [["--cwd", "install", "sync"], "sync"],
    [["--help"], undefined],
    [["-v"], undefined],
    [["-qy", "install"], undefined],
    [["--", "install"], undefined],
    [[], undefined],
  ] as const)("%j -> %s", (args, name) => expect(subcommandOf(args)).toBe(name));
});

describe("programFor", () => {
  it("builds the root plus only the named command", async () => {
    const p = await programFor(deps, ["node", "agentpkg", "-C", "x", "install", "a"]);
    expect(p.commands.map((c) => c.name())).toEqual(["install"]);
    expect(p.options.map((o) => o.long)).toEqual(full.options.map((o) => o.long));
  });

  it("falls back to the whole program for help and unknown names", async () => {
    expect((await programFor(deps, ["node", "agentpkg", "--help"])).commands.length).toBe(full.commands.length);
    expect((await programFor(deps, ["node", "agentpkg", "instal"])).commands.length).toBe(full.commands.length);
  });

  it("keeps usage errors and exit overrides on the lazily built command", async () => {
    const p = await programFor(deps, ["node", "agentpkg", "install", "--no-such-flag"]);
    for (const c of [p, ...p.commands]) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    await expect(p.parseAsync(["node", "agentpkg", "install", "--no-such-flag"])).rejects.toMatchObject({ code: "commander.unknownOption" });
  });
});

describe("the command names output.ts knows (for -g in suggested commands)", () => {
  it("are the table's, but the hidden __complete", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(COMMANDS.flatMap((c) => c.names).filter((n) => n !== "__complete").sort());
  });

  it("a --global run suggests commands with -g", () => {
    expect(withScopeFlag("try agentpkg install ml-engineer, or agentpkg -C DIR list; agentpkg.json", true)).toBe("try agentpkg -g install ml-engineer, or agentpkg -C DIR list; agentpkg.json");
    expect(withScopeFlag("agentpkg install x", false)).toBe("agentpkg install x");
    expect(withScopeFlag("create one with agentpkg init --global, then agentpkg list", true)).toBe("create one with agentpkg init --global, then agentpkg -g list");
  });

  it("hides __complete from help", () => {
    expect(full.commands.find((c) => c.name() === "__complete")).toBeDefined();
    expect(full.helpInformation()).not.toContain("__complete");
  });
});
