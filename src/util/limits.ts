/** Claude Code skips agent files over 1 MiB; agentpkg refuses to install or publish them. */
export const MAX_AGENT_BYTES = 1024 * 1024;
