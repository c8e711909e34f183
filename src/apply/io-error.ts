import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { scopeRelative, type Scope } from "../project/scope.js";

/** Why a write failed, in words, from its errno code (undefined: not a file-system condition we can name). */
export function ioReason(err: unknown): string | undefined {
  switch ((err as NodeJS.ErrnoException)?.code) {
    case "ENOSPC":
    case "EDQUOT":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    case "EACCES":
      return "permission denied";
    case "EPERM":
      return "operation not permitted (immutable or append-only? see lsattr)";
    case "EISDIR":
    case "ENOTEMPTY":
    case "EEXIST":
      return "a folder is in the way";
    case "ENOTDIR":
      return "a file is in the way of a folder";
    case "EBUSY":
      return "busy (a mount point?)";
    case "EIO":
      return "input/output error";
    case "EMLINK":
    case "ENAMETOOLONG":
    case "ELOOP":
      return String((err as Error).message).split("\n")[0];
    default:
      return undefined;
  }
}

const rel = (scope: Scope, abs: string): string => scopeRelative(scope, abs) || ".";

/**
 * A folder agentpkg cannot write in (while staging: nothing was changed yet): one line naming the folder,
 * never a temp file's name.
 */
export function unwritable(scope: Scope, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  const why = ioReason(err);
  if (err instanceof AgentpkgError || !e?.path || why === undefined) return err;
  const dir = rel(scope, path.dirname(e.path));
  return new AgentpkgError("E_IO", `cannot write in ${dir}: ${why}; nothing was changed`, { cause: err, hint: `check ${dir} (free space, permissions), then re-run` });
}

/**
 * One file could not be put in place while applying: the others were put back (`stuck`: those that could
 * not be, which the next run finishes from the journal).
 */
export function applyFailed(scope: Scope, file: string, err: unknown, stuck: string[]): AgentpkgError {
  const why = ioReason(err) ?? String((err as Error)?.message ?? err).split("\n")[0];
  const name = rel(scope, file);
  if (stuck.length === 0) {
    return new AgentpkgError("E_IO", `cannot write ${name}: ${why}; every file was put back, nothing was changed`, {
      cause: err,
      hint: `fix ${name} (or its folder), then re-run`,
    });
  }
  return new AgentpkgError("E_IO", `cannot write ${name}: ${why}; ${stuck.length} file${stuck.length === 1 ? "" : "s"} could not be put back either`, {
    cause: err,
    details: stuck.map((f) => rel(scope, f)),
    hint: `fix ${name}, then run agentpkg doctor --fix: it finishes the change`,
  });
}
