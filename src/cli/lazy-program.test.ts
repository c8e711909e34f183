import { describe, expect, it } from "vitest";
import type { Deps } from "../util/deps.js";
import { createProgram } from "./program.js";
import { LAZY_COMMANDS, programFor, subcommandOf } from "./lazy-program.js";
import { attachCommands, createRoot } from "./root.js";

const deps: Deps = {
  cwd: "/nonexistent",
  home: "/nonexistent-home",
  env: {},
  io: { out: () => undefined, err: () => undefined, isTTY: false, interactive: false, color: false },
  setExitCode: () => undefined,
};

const full = createProgram(deps);
const fullNames = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);

describe("the lazy command table", () => {
  it("covers every command and alias of the whole program (add new commands to LAZY_COMMANDS)", () => {
    expect(fullNames.filter((n) => !Object.hasOwn(LAZY_COMMANDS, n))).toEqual([]);
  });

  it.each(Object.keys(LAZY_COMMANDS))("%s loads the same command as the whole program", async (name) => {
    const cmd = (await LAZY_COMMANDS[name]!())(deps);
    attachCommands(createRoot(), [cmd]);
    const same = full.commands.find((c) => c.name() === cmd.name())!;
    expect([cmd.name(), ...cmd.aliases()]).toContain(name);
    expect(cmd.helpInformation()).toBe(same.helpInformation());
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
