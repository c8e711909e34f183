/** Claude Code skips agent files over 1 MiB; agentpkg refuses to install or publish them. */
export const MAX_AGENT_BYTES = 1024 * 1024;

/** A plugin is copied whole into the project: bounded per file, in files and in bytes. */
export const MAX_PLUGIN_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_PLUGIN_FILES = 5000;
export const MAX_PLUGIN_BYTES = 128 * 1024 * 1024;
