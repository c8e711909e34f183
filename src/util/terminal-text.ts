// Text for a terminal. Registry descriptions, changelogs, agent files, lock entries and git's own messages
// reach the output; any control character in them could move the cursor, erase lines or retitle the
// window (a CR and ESC[2K once rewrote a permission-review line). Every line agentpkg writes to stdout or
// stderr passes through terminalSafe(): control characters become visible `\uXXXX` escapes, and colour is
// only what agentpkg itself asked for, through sgr(). In a JSON document the escapes are JSON's own, so
// the parsed document is exactly the same.

/** Unguessable by text from outside (a registry could otherwise hide the rest of a line with ESC[8m). */
const NONCE = Math.random().toString(36).slice(2, 10);

/** agentpkg's own colour codes (SGR parameters, e.g. 31 = red), as markers turned into ESC[..m only when printed. */
export function sgr(code: number): string {
  return `\uE000${NONCE}:${code}\uE001`;
}

// C0 controls but tab and newline, DEL, C1 controls, the bidi controls (they reorder what is shown), and
// the Unicode line and paragraph separators; plus the private-use markers sgr() uses, wherever they do not
// form a marker
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\uE000\uE001]/g;
const MARKER = new RegExp(`\uE000${NONCE}:(\\d{1,2})\uE001`, "g");

/** The length of a text as shown: colour markers take no room. */
export function visibleLength(text: string): number {
  return text.replace(MARKER, "").length;
}

const escape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function terminalSafe(text: string): string {
  if (!UNSAFE.test(text)) return text;
  UNSAFE.lastIndex = 0;
  const parts = text.split(MARKER); // odd indexes are the SGR codes of markers
  return parts.map((p, i) => (i % 2 === 1 ? `\u001b[${p}m` : p.replace(UNSAFE, escape))).join("");
}
