/** The agentpkg version: its own module so `--version` loads nothing else (DESIGN.md §7). */
export const VERSION = "0.1.0";
