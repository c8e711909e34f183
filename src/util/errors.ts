export type ErrorCode =
  | "E_USAGE"
  | "E_MANIFEST_INVALID"
  | "E_LOCK_INVALID"
  | "E_LOCK_UNSUPPORTED"
  | "E_LOCK_OUTDATED"
  | "E_DRIFT"
  | "E_AGENT_INVALID"
  | "E_NOT_FOUND"
  | "E_NO_MATCH"
  | "E_REGISTRY_INVALID"
  | "E_REGISTRY_UNREACHABLE"
  | "E_COMMIT_GONE"
  | "E_OFFLINE"
  | "E_INTEGRITY"
  | "E_SIGNATURE"
  | "E_LOCAL_EDITS"
  | "E_PERMISSIONS"
  | "E_CONFLICT"
  | "E_BUSY"
  | "E_EXISTS"
  | "E_UNSAFE"
  | "E_IO";

/** Exit codes of DESIGN.md §6. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  refused: 3,
  drift: 4,
  notFound: 5,
  unreachable: 6,
} as const;

const DEFAULT_EXIT: Partial<Record<ErrorCode, number>> = {
  E_USAGE: EXIT.usage,
  E_LOCK_OUTDATED: EXIT.drift,
  E_DRIFT: EXIT.drift,
  E_NOT_FOUND: EXIT.notFound,
  E_NO_MATCH: EXIT.notFound,
  E_REGISTRY_UNREACHABLE: EXIT.unreachable,
  E_COMMIT_GONE: EXIT.notFound,
  E_OFFLINE: EXIT.unreachable,
  E_LOCAL_EDITS: EXIT.refused,
  E_PERMISSIONS: EXIT.refused,
  E_CONFLICT: EXIT.refused,
  E_EXISTS: EXIT.refused,
};

/** The one error type for expected failures: a one-line message, an optional hint (a command to run). */
export class AgentpkgError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly exitCode: number;
  /** extra lines shown under the message (e.g. a list of modified files) */
  readonly details: string[];
  /** machine-readable payload for --json */
  readonly data?: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    o: { hint?: string; exitCode?: number; cause?: unknown; details?: string[]; data?: unknown } = {},
  ) {
    super(message, { cause: o.cause });
    this.name = "AgentpkgError";
    this.code = code;
    this.hint = o.hint;
    this.exitCode = o.exitCode ?? DEFAULT_EXIT[code] ?? EXIT.error;
    this.details = o.details ?? [];
    this.data = o.data;
  }
}


export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
