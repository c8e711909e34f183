/** The agentpkg version: its own module so `--version` loads nothing else (DESIGN.md §7). */
export const VERSION = "0.1.0";

/** `agentpkg --version` (or -v, or cargo's -V) and nothing else: answered before anything else loads. */
export function isVersionQuery(argv: readonly string[]): boolean {
  return argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v" || argv[2] === "-V");
}
