// Hidden and deceptive Unicode: characters that reorder or hide text, and names that pass for other names.
import type { RuleId } from "./rules.js";
import { codePointName, linesOf, visible } from "./text.js";

export interface TextHit {
  rule: RuleId;
  line: number;
  message: string;
}

const NAMES: Record<number, string> = {
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
};

const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060-\u2064\u180E\uFEFF]/g;
const TAGS = /[\u{E0000}-\u{E007F}]+/gu;
const ANY_HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060-\u2064\u180E\uFEFF\u{E0000}-\u{E007F}]/u;
/** An emoji subdivision flag (England, Scotland, Wales): the one ordinary use of tag characters. */
const FLAG_TAGS = /\u{1F3F4}[\u{E0020}-\u{E007E}]{1,12}\u{E007F}/gu;

const isAscii = (ch: string | undefined) => ch !== undefined && ch.charCodeAt(0) < 0x80;

/**
 * ZWJ and ZWNJ join or separate letters in Indic, Arabic and Persian text and build emoji sequences: there
 * they sit between two non-ASCII characters. Next to ASCII (or at an edge) they only hide something.
 */
function joinerInPlace(line: string, i: number): boolean {
  const ch = line[i];
  if (ch !== "\u200C" && ch !== "\u200D") return false;
  const before = line[i - 1];
  const after = line[i + 1];
  return before !== undefined && after !== undefined && !isAscii(before) && !isAscii(after) && !/\s/.test(before) && !/\s/.test(after);
}

/** What the tag characters of a run spell (tags mirror ASCII: U+E0041 is an invisible "A"). */
function tagText(run: string): string {
  return Array.from(run, (ch) => {
    const c = ch.codePointAt(0)! - 0xe0000;
    return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "";
  }).join("");
}

/**
 * Bidi controls, Unicode tag characters and zero-width characters in `text`, one finding per rule and
 * line. `firstLine` is the file line of the text's first line; a byte order mark at the very start of a
 * file is not text (validate reports it on agent files).
 */
export function hiddenCharacters(text: string, firstLine = 1): TextHit[] {
  if (!ANY_HIDDEN.test(text)) return []; // the common case, in one pass
  const out: TextHit[] = [];
  const add = (rule: RuleId, line: number, message: string) => out.push({ rule, line, message });
  const body = firstLine === 1 && text.startsWith("\uFEFF") ? ` ${text.slice(1)}` : text;
  for (const { n, text: raw } of linesOf(body, firstLine)) {
    const line = raw.replace(FLAG_TAGS, "");
    const bidi = [...line.matchAll(BIDI)].map((m) => m[0].codePointAt(0)!);
    if (bidi.length) add("bidi-control", n, `${describe(bidi)}: the line displays in a different order than it is read`);
    const tags = [...line.matchAll(TAGS)].map((m) => m[0]);
    if (tags.length) {
      const count = tags.reduce((k, t) => k + Array.from(t).length, 0);
      const spelled = tags.map(tagText).join(" ").trim();
      add("invisible-tag-characters", n, `${count} invisible tag character${count === 1 ? "" : "s"}${spelled ? ` spelling "${visible(spelled, 60)}"` : ""}: text the model reads but nobody sees`);
    }
    const zw = [...line.matchAll(ZERO_WIDTH)].filter((m) => !joinerInPlace(line, m.index)).map((m) => m[0].codePointAt(0)!);
    if (zw.length) add("zero-width-character", n, `${describe(zw)}: invisible, it can make different text look the same`);
  }
  return out;
}

function describe(cps: number[]): string {
  const distinct = [...new Set(cps)];
  const names = distinct.slice(0, 3).map((cp) => `${codePointName(cp)} ${NAMES[cp] ?? ""}`.trim());
  const more = distinct.length > 3 ? ` and ${distinct.length - 3} more kinds` : "";
  return `${cps.length === 1 ? "" : `${cps.length} characters: `}${names.join(", ")}${more}`;
}

// --- names -----------------------------------------------------------------------------------------------

const SCRIPT_NAMES = [
  "Latin", "Greek", "Cyrillic", "Armenian", "Georgian", "Cherokee", "Coptic", "Glagolitic", "Runic", "Ogham",
  "Hebrew", "Arabic", "Syriac", "Thaana", "Nko", "Tifinagh", "Ethiopic", "Adlam", "Vai", "Osage", "Lisu",
  "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala",
  "Thai", "Lao", "Tibetan", "Myanmar", "Khmer", "Mongolian", "Canadian_Aboriginal",
  "Han", "Hiragana", "Katakana", "Bopomofo", "Hangul",
];
let scriptTests: [string, RegExp][] | undefined;

/** The scripts of a string's letters (Common and Inherited characters such as digits and `-` have none). */
export function scriptsOf(s: string): Set<string> {
  scriptTests ??= SCRIPT_NAMES.map((n) => [n, new RegExp(`\\p{Script=${n}}`, "u")]);
  const out = new Set<string>();
  for (const ch of s) {
    if (!/\p{L}/u.test(ch)) continue;
    out.add(scriptTests.find(([, re]) => re.test(ch))?.[0] ?? "Other");
  }
  return out;
}

/** Script mixes that are ordinary writing (UTS #39's "highly restrictive" level): Japanese, Chinese, Korean with Latin. */
const ALLOWED_MIXES: readonly (readonly string[])[] = [
  ["Latin", "Han", "Hiragana", "Katakana"],
  ["Latin", "Han", "Bopomofo"],
  ["Latin", "Han", "Hangul"],
];

/** The scripts a name mixes in a way no ordinary name does, or undefined. */
export function mixedScripts(name: string): string[] | undefined {
  const scripts = [...scriptsOf(name)];
  if (scripts.length < 2 || ALLOWED_MIXES.some((mix) => scripts.every((s) => mix.includes(s)))) return undefined;
  return scripts;
}

/**
 * Letters that look like Latin ones, from Unicode's confusables data (the common cases: Cyrillic, Greek,
 * Armenian and a few Latin look-alikes; NFKC already folds fullwidth and mathematical letters).
 */
const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: "a", в: "b", е: "e", һ: "h", і: "i", ј: "j", к: "k", ӏ: "l", о: "o", р: "p", с: "c", ԁ: "d", ѕ: "s", у: "y", х: "x", ԛ: "q", ԝ: "w", ү: "y", ɡ: "g",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", І: "I", Ј: "J", Ѕ: "S", Ү: "Y",
  // Greek
  α: "a", ο: "o", ν: "v", ρ: "p", ι: "i", κ: "k", υ: "u", χ: "x", γ: "y",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X",
  // Armenian
  օ: "o", ս: "u", հ: "h", ց: "g", ո: "n",
  // Latin and symbols
  ı: "i", ℓ: "l", ꞁ: "l", ǀ: "l",
  "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "˗": "-", "⁃": "-",
};

/** ASCII look-alikes, for comparing two names (never to say which Latin name a name spells). */
const ASCII_LOOKALIKES: Record<string, string> = { "|": "l", "1": "l", I: "l", "0": "o" };

/** Invisible characters a skeleton drops (soft hyphen, zero-width, bidi, tags, variation selectors). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFE00-\uFE0F\uFEFF\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;

/**
 * What a name looks like (after UTS #39's skeleton, simplified): NFKC, invisible characters dropped,
 * look-alike letters mapped to Latin, lower case, and the multi-letter look-alikes rn -> m, vv -> w. Two
 * names with one skeleton are easily taken for each other.
 */
export function skeleton(name: string): string {
  const mapped = Array.from(name.normalize("NFKC").replace(INVISIBLE, ""), (ch) => LOOKALIKES[ch] ?? ASCII_LOOKALIKES[ch] ?? ch).join("");
  return mapped.toLowerCase().replace(/rn/g, "m").replace(/vv/g, "w").replace(/cl/g, "d");
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The Latin name a non-Latin name spells in look-alike letters (e.g. Cyrillic "реаrl" -> "pearl"), or undefined. */
export function latinLookalike(name: string): string | undefined {
  if (PRINTABLE_ASCII.test(name)) return undefined;
  const plain = Array.from(name.normalize("NFKC").replace(INVISIBLE, ""), (ch) => LOOKALIKES[ch] ?? ch).join("");
  return PRINTABLE_ASCII.test(plain) && /[A-Za-z]/.test(plain) && plain !== name ? plain : undefined;
}

export { PRINTABLE_ASCII };
