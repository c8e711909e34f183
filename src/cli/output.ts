import type { Io } from "../util/deps.js";
import { sgr, visibleLength } from "../util/terminal-text.js";

export interface OutputFlags {
  json: boolean;
  quiet: boolean;
  /** --global: the commands suggested to the user need -g too */
  global?: boolean;
}

/** Every command name (COMMANDS in program.ts; a unit test keeps the two in step). */
export const COMMAND_NAMES = [
  "install", "i", "add", "upgrade", "update", "remove", "rm", "uninstall", "list", "ls", "status", "diff", "registry", "pack", "sync",
  "verify", "audit", "outdated", "init", "validate", "new", "publish", "yank", "deprecate", "search", "info", "show", "doctor", "completion",
];
/** `agentpkg COMMAND`, unless that suggestion (up to `,`, `;`, `)` or the line's end) already says --global or -g */
const SUGGESTED = new RegExp(`\\bagentpkg (?=(?:${COMMAND_NAMES.join("|")})\\b(?![^,;)\\n]*\\s(?:--global|-g)\\b))`, "g");

/** A text suggesting `agentpkg install ...`, for a --global run: `agentpkg -g install ...` (the same scope). */
export function withScopeFlag(text: string, global: boolean | undefined): string {
  return global ? text.replace(SUGGESTED, "agentpkg -g ") : text;
}

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, cyan: 36, dim: 2, bold: 1 } as const;
export type Color = keyof typeof ANSI;

export function paint(io: Pick<Io, "color">, color: Color, text: string): string {
  return io.color ? `${sgr(ANSI[color])}${text}${sgr(0)}` : text;
}

/** A --json document: every one says which version of its schema it is (see json.ts). */
export type JsonDoc = { readonly schemaVersion: 1 } & Record<string, unknown>;

/** Print one result: a JSON document (or what makes it) under --json, else the human lines (none under --quiet). */
export function printResult(io: Io, flags: OutputFlags, json: JsonDoc | (() => JsonDoc), human: () => string[]): void {
  if (flags.json) {
    io.out(JSON.stringify(typeof json === "function" ? json() : json, null, 2));
    return;
  }
  if (flags.quiet) return;
  const lines = human();
  if (lines.length) io.out(withScopeFlag(lines.join("\n"), flags.global));
}

/** Warnings and notes go to stderr so stdout stays for results. */
export function printNotes(io: Io, flags: OutputFlags, notes: string[]): void {
  if (flags.quiet && !flags.json) return;
  for (const n of notes) io.err(`${paint(io, "yellow", "warning")} ${withScopeFlag(n, flags.global)}`);
}

/** A fixed-width table, columns padded to their widest cell. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(c))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - visibleLength(c)))).join("  ").trimEnd());
}
