import { VERSION } from "./version.js";

// The only place that reads argv and decides the exit code.
const argv = process.argv;
if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v")) {
  // fast path: no commander, no command modules (start-up within 1.5x of bare node)
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ realDeps }, { programFor }, { reportError }] = await Promise.all([
    import("./util/deps.js"),
    import("./cli/lazy-program.js"),
    import("./cli/report-error.js"),
  ]);
  const deps = realDeps();
  try {
    await (await programFor(deps, argv)).parseAsync(argv);
  } catch (err) {
    const verbose = argv.includes("--verbose") || /(^|,)agentpkg(,|$)/.test(process.env.DEBUG ?? "");
    process.exitCode = reportError(err, deps.io, { json: argv.includes("--json"), verbose });
  }
}
