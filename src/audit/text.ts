// Small text helpers of the audit: lines with their numbers, where a string sits in a file, and how to show
// untrusted text in a one-line message without carrying invisible or reordering characters along.

export interface Line {
  /** 1-based line number in the file */
  n: number;
  text: string;
}

/** The lines of `text` (without their end-of-line), numbered from `first`. */
export function linesOf(text: string, first = 1): Line[] {
  return text.split("\n").map((l, i) => ({ n: first + i, text: l.endsWith("\r") ? l.slice(0, -1) : l }));
}

/** The 1-based line of `text` where `needle` first occurs at or after line `from`, or undefined. */
export function lineOf(text: string, needle: string, from = 1): number | undefined {
  if (needle === "") return undefined;
  let start = 0;
  for (let n = 1; n < from; n++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const at = text.indexOf(needle, start);
  if (at < 0) return undefined;
  let line = from;
  for (let i = text.indexOf("\n", start); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

// control, format (zero-width, bidi, tags), line and paragraph separators, private use, unassigned
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;

/** `text` safe for one line of output: hidden characters as \u{XXXX}, at most `max` characters. */
export function visible(text: string, max = 80): string {
  const shown = text
    .replace(/[ \t\r\n]+/g, " ")
    .trim()
    .replace(HIDDEN, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
  const chars = Array.from(shown);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : shown;
}

/** `U+202E` */
export const codePointName = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
