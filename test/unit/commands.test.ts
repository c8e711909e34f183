import { emptyPlan } from "../../src/plan/plan.js";
import { emptyManifest } from "../../src/project/manifest.js";
import { emptyLockfile } from "../../src/project/lockfile.js";
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { createProgram } from "../../src/cli/program.js";
import type { Deps } from "../../src/util/deps.js";

function fakeDeps(): Deps & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return {
    cwd: "/nonexistent",
    home: "/nonexistent-home",
    env: {},
    io: { out: (t) => outText.push(t), err: (t) => errText.push(t), isTTY: false, interactive: false, color: false },
    setExitCode: () => undefined,
    outText,
    errText,
  };
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

describe("every command", async () => {
  const program = await createProgram(fakeDeps());
  const commands = allCommands(program);

  it("exists for the core set", () => {
    const names = program.commands.map((c) => c.name());
    for (const n of ["install", "upgrade", "remove", "list", "registry"]) expect(names).toContain(n);
  });

  it.each(commands.map((c) => [c.name(), c] as const))("%s has a description and renders --help", (_n, cmd) => {
    expect(cmd.description().length).toBeGreaterThan(10);
    expect(cmd.helpInformation()).toContain("Usage:");
  });

  it("an unknown flag on a subcommand is a usage error (exit 2 path)", async () => {
    const p = await createProgram(fakeDeps());
    p.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    for (const c of allCommands(p)) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    await expect(p.parseAsync(["node", "agentpkg", "install", "--no-such-flag"])).rejects.toMatchObject({ code: "commander.unknownOption", exitCode: 1 });
  });

  it("passes parsed flags to the install operation", async () => {
    const deps = fakeDeps();
    const { installCommand } = await import("../../src/cli/install.js");
    let seen: unknown;
    const cmd = installCommand(deps, async (o) => {
      seen = o;
      return { command: "install", dryRun: true, applied: false, backups: [], scopeRoot: "/", plan: emptyPlan(emptyManifest(), emptyLockfile()) };
    });
    await cmd.parseAsync(["--dry-run", "--exact", "ml-engineer@^1"], { from: "user" });
    expect(seen).toMatchObject({ specs: ["ml-engineer@^1"], dryRun: true, exact: true, frozen: undefined, keep: false, force: false, merge: false });
    expect(deps.outText.join("\n")).toContain("dry run");
  });
});
