// What is on disk at each place a lock or a plan names: a file's sha256, or, for an entry agentpkg keeps in
// a shared file (`.mcp.json#mcpServers/x`), the sha256 of that entry's canonical JSON.
import { readFileSync, statSync, type Stats } from "node:fs";
import { sha256 } from "../util/hash.js";
import { stableJson } from "../util/json.js";
import { AgentpkgError } from "../util/errors.js";
import type { StatCache } from "../store/stat-cache.js";
import { hashAgentFiles } from "./agents-dir.js";
import { scopeFile, type Scope } from "./scope.js";
import { entryValue } from "./shared-json.js";
import { mcpHost } from "./shared-hosts.js";

/**
 * A shared file is small JSON: anything larger is not one agentpkg should parse. ~/.claude.json (the user
 * scope's MCP servers) is Claude Code's own state file too, and grows with it: it may be larger.
 */
const MAX_SHARED_BYTES = 4 * 1024 * 1024;
const MAX_USER_STATE_BYTES = 64 * 1024 * 1024;

/** `<host>#<key path>` -> its parts; undefined for a plain file. */
export function splitTarget(target: string): { host: string; key: string[] } | undefined {
  const hash = target.indexOf("#");
  return hash < 0 ? undefined : { host: target.slice(0, hash), key: target.slice(hash + 1).split("/") };
}

/** A shared file as read now, with the stat it had just before (undefined: no such file). */
function readShared(scope: Scope, host: string): { text: string; st: Stats } | undefined {
  const abs = scopeFile(scope, host);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!st.isFile()) throw new AgentpkgError("E_UNSAFE", `${host} is not a regular file; nothing was changed`, { hint: `move ${host} away, then re-run` });
  if (st.size > (scope.global && host === mcpHost(true) ? MAX_USER_STATE_BYTES : MAX_SHARED_BYTES)) throw new AgentpkgError("E_UNSAFE", `${host} is ${st.size} bytes, too large for a settings file; nothing was changed`);
  return { text: readFileSync(abs, "utf8"), st };
}

/** The text of a shared file (.claude/settings.json, .mcp.json, ~/.claude.json), or undefined when there is none. */
export function readSharedText(scope: Scope, host: string): string | undefined {
  return readShared(scope, host)?.text;
}

/**
 * sha256 of what is at each target (null: missing), and of each shared file holding an entry (by its own
 * path). Files are hashed as hashAgentFiles does (a stat cache answers for unchanged ones); shared files are
 * always read, and their stats recorded in the stat cache.
 */
export function hashTargets(scope: Scope, targets: Iterable<string>, cache?: StatCache): Map<string, string | null> {
  const files: string[] = [];
  const entries = new Map<string, { id: string; key: string[] }[]>();
  for (const t of targets) {
    const split = splitTarget(t);
    if (!split) files.push(t);
    else entries.set(split.host, [...(entries.get(split.host) ?? []), { id: t, key: split.key }]);
  }
  const out = hashAgentFiles(scope, files, cache);
  for (const [host, ids] of entries) {
    const read = readShared(scope, host);
    const text = read?.text;
    const hostSha = read === undefined ? null : sha256(read.text);
    // the host is always parsed (its entries are wanted), but its stat is recorded: a run remembered as
    // unchanged (StatCache.unchangedSince) is forgotten when the host file changes
    if (read && hostSha) cache?.record(host, read.st, hostSha);
    out.set(host, hostSha);
    for (const { id, key } of ids) {
      const value = entryValue(text, host, key);
      out.set(id, value === undefined ? null : sha256(stableJson(value)));
    }
  }
  return out;
}
