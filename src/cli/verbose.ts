/**
 * `--verbose` anywhere on the command line, or `agentpkg` in DEBUG's comma list: unexpected errors show their
 * stack trace. Also read by the launcher, which then turns on source maps so the trace names src/*.ts lines.
 */
export function isVerbose(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes("--verbose") || /(^|,)agentpkg(,|$)/.test(env.DEBUG ?? "");
}
