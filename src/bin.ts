import { isVerbose } from "./cli/verbose.js";
import { isVersionQuery, VERSION } from "./version.js";

/** The only place that reads argv and decides the exit code. */
async function main(argv: readonly string[]): Promise<void> {
  if (isVersionQuery(argv)) {
    // no commander, no command modules (the launcher answers this too, without loading the bundle)
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const [{ realDeps }, { programFor }, { reportError }] = await Promise.all([
    import("./util/deps.js"),
    import("./cli/program.js"),
    import("./cli/report-error.js"),
  ]);
  let deps: ReturnType<typeof realDeps>;
  try {
    deps = realDeps();
  } catch (err) {
    // process.cwd() fails when the folder it was started in has been deleted
    process.stderr.write(`error cannot read the current folder (${(err as Error).message}); was it deleted?\nhint: cd into an existing folder, or use -C DIR\n`);
    process.exitCode = 1;
    return;
  }
  try {
    await (await programFor(deps, argv)).parseAsync(argv);
    deps.progress?.clear();
  } catch (err) {
    const global = argv.includes("-g") || argv.includes("--global");
    process.exitCode = reportError(err, deps.io, { json: argv.includes("--json"), verbose: isVerbose(argv, process.env), global });
  }
}

void main(process.argv);
