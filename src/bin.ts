import { realDeps } from "./util/deps.js";
import { createProgram } from "./cli/program.js";
import { reportError } from "./cli/report-error.js";

// The only place that reads argv and decides the exit code.
const deps = realDeps();
const argv = process.argv;
try {
  await createProgram(deps).parseAsync(argv);
} catch (err) {
  const verbose = argv.includes("--verbose") || /(^|,)agentpkg(,|$)/.test(process.env.DEBUG ?? "");
  process.exitCode = reportError(err, deps.io, { json: argv.includes("--json"), verbose });
}
