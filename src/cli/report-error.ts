import type { Io } from "../util/deps.js";
import { AgentpkgError, EXIT } from "../util/errors.js";
import { paint, withScopeFlag } from "./output.js";
import { redactCredentials } from "../util/redact.js";

interface CommanderLike {
  code: string;
  exitCode: number;
  message: string;
}

function isCommanderError(err: unknown): err is CommanderLike {
  return err instanceof Error && typeof (err as Partial<CommanderLike>).code === "string" && (err as unknown as CommanderLike).code.startsWith("commander.");
}

/** File-system errors of the user's environment (a folder that is not writable, a name too long ...), by code. */
const IO_CODES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "permission denied",
  ENOSPC: "ENOSPC",
  EDQUOT: "disk quota exceeded (EDQUOT)",
  EISDIR: "EISDIR",
  ENOTDIR: "ENOTDIR",
  EEXIST: "EEXIST",
  ENOENT: "ENOENT",
  ENAMETOOLONG: "file name too long (ENAMETOOLONG)",
  ELOOP: "too many levels of symbolic links (ELOOP)",
  EMFILE: "too many open files (EMFILE)",
};

/**
 * Print an error the way the user asked (human on stderr, or JSON on stdout); return the exit code.
 * Every line goes through the one credential redaction (a git message may quote a url from the user's
 * insteadOf config, a stack trace the arguments of a git run).
 */
export function reportError(err: unknown, rawIo: Io, o: { json: boolean; verbose: boolean; global?: boolean }): number {
  const io: Pick<Io, "out" | "err" | "color"> = {
    out: (t) => rawIo.out(redactCredentials(t)),
    err: (t) => rawIo.err(redactCredentials(t)),
    get color() {
      return rawIo.color;
    },
  };
  if (isCommanderError(err)) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
    if (o.json) io.out(JSON.stringify({ schemaVersion: 1, error: { code: "E_USAGE", message: err.message.replace(/^error: /, "") } }, null, 2));
    return EXIT.usage;
  }
  if (err instanceof AgentpkgError) {
    if (o.json) {
      io.out(JSON.stringify({ schemaVersion: 1, error: { code: err.code, message: err.message, hint: err.hint === undefined ? undefined : withScopeFlag(err.hint, o.global), details: err.details, data: err.data } }, null, 2));
    } else {
      io.err(`${paint(io, "red", "error")} ${err.message}`);
      for (const d of err.details) io.err(`  ${d}`);
      if (err.hint) io.err(`hint: ${withScopeFlag(err.hint, o.global)}`);
      if (o.verbose && err.cause) io.err(String((err.cause as Error).stack ?? err.cause));
    }
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === "string" && Object.hasOwn(IO_CODES, e.code)) {
    const msg = `${IO_CODES[e.code]}: ${e.path ?? e.message}`;
    if (o.json) io.out(JSON.stringify({ schemaVersion: 1, error: { code: "E_IO", message: msg } }, null, 2));
    else io.err(`${paint(io, "red", "error")} ${msg}\nhint: check that the folder exists and is writable`);
    if (o.verbose) io.err(String(e.stack));
    return EXIT.error;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (o.json) io.out(JSON.stringify({ schemaVersion: 1, error: { code: "E_INTERNAL", message } }, null, 2));
  else {
    io.err(`${paint(io, "red", "internal error")} ${message}`);
    io.err(o.verbose ? String((err as Error)?.stack ?? "") : "please report it; re-run with --verbose (or DEBUG=agentpkg) for details");
  }
  return EXIT.error;
}
