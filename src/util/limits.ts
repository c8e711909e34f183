/** Claude Code skips agent files over 1 MiB; agentpkg refuses to install or publish them. */
export const MAX_AGENT_BYTES = 1024 * 1024;

/** A plugin is copied whole into the project: bounded per file, in files and in bytes. */
export const MAX_PLUGIN_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_PLUGIN_FILES = 5000;
export const MAX_PLUGIN_BYTES = 128 * 1024 * 1024;

/**
 * How large a document may be once every alias is expanded (expandedSize: nodes + string lengths).
 * js-yaml shares an aliased value instead of copying it, so ten levels of ten aliases parse in
 * microseconds from 1 KB of text, but stand for 10^10 nodes: whatever walks the value next (comparing
 * it, turning it into JSON, dumping it) runs out of memory. Without aliases a document never expands
 * beyond its own length, and agent files over 1 MiB are refused anyway, so no honest file is affected.
 * (Here rather than in agent/yaml.ts: agent/permissions.ts needs it, and importing yaml.ts loads js-yaml.)
 */
export const MAX_YAML_EXPANSION = 1024 * 1024;
