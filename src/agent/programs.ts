// The programs a `hooks` or `mcpServers` value makes Claude Code run: walked within a bound (the values come
// from untrusted YAML or JSON). Shared by the permission review and the audit.
import { isPlainObject } from "../util/json.js";

/** Entries looked at per value at most. */
export const MAX_PROGRAMS = 50;

export interface HookProgram {
  event: string;
  command?: string;
  prompt?: string;
}

export interface McpProgram {
  name: string;
  command?: string;
  url?: string;
  /** the command and its arguments as one line ("" for a url server) */
  commandLine: string;
}

/** The hooks of one group (`{matcher, hooks: [...]}`), added to `out`. */
export function groupPrograms(event: string, group: unknown, out: HookProgram[]): void {
  const hooks = isPlainObject(group) && Array.isArray(group.hooks) ? group.hooks : [];
  for (const h of hooks.slice(0, MAX_PROGRAMS)) {
    if (!isPlainObject(h)) continue;
    if (typeof h.command === "string") out.push({ event, command: h.command });
    if (typeof h.prompt === "string") out.push({ event, prompt: h.prompt });
  }
}

/** Every hook of a `hooks` map (`{Event: [group...]}`). */
export function hookPrograms(hooks: unknown): HookProgram[] {
  const out: HookProgram[] = [];
  if (!isPlainObject(hooks)) return out;
  for (const [event, groups] of Object.entries(hooks).slice(0, MAX_PROGRAMS)) {
    for (const g of (Array.isArray(groups) ? groups : []).slice(0, MAX_PROGRAMS)) groupPrograms(event, g, out);
    if (out.length >= MAX_PROGRAMS) break;
  }
  return out.slice(0, MAX_PROGRAMS);
}

export function serverProgram(name: string, server: unknown): McpProgram | undefined {
  if (!isPlainObject(server)) return undefined;
  const command = typeof server.command === "string" ? server.command : undefined;
  const url = typeof server.url === "string" ? server.url : undefined;
  const args = Array.isArray(server.args) ? server.args.slice(0, 100).filter((a): a is string => typeof a === "string") : [];
  return { name, command, url, commandLine: command === undefined ? "" : [command, ...args].join(" ") };
}

/** The servers of an `mcpServers` value: a map, or a list of names (configured elsewhere: no program) and inline maps. */
export function mcpPrograms(value: unknown): McpProgram[] {
  const entries = Array.isArray(value)
    ? value.slice(0, MAX_PROGRAMS).flatMap((item) => (isPlainObject(item) ? Object.entries(item) : []))
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  return entries.slice(0, MAX_PROGRAMS).flatMap(([name, server]) => serverProgram(name, server) ?? []);
}
