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
  const deps = realDeps();
  try {
    await (await programFor(deps, argv)).parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, deps.io, { json: argv.includes("--json"), verbose: isVerbose(argv, process.env) });
  }
}

void main(process.argv);
