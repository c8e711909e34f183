// What an installed part costs in every conversation: Claude Code lists each agent's name, description and
// tools (the agent listing) and each command's and skill's name and description (the skill listing) to the
// model at the start of every conversation, whether or not the part is ever used. The line formats below
// were read from the `agent_listing_delta` and `skill_listing` records Claude Code 2.1.197 writes into its
// session log (docs/design-notes.md, "Context cost"); tokens are estimated as characters / 4.
import { normalizeTools } from "./tools.js";
import { parseFrontmatterYaml, splitFrontmatter } from "./parse.js";
import { isPlainObject } from "./yaml.js";

/** The usual estimate for English text and code with Claude's tokenizer; an estimate, not a count. */
export const CHARS_PER_TOKEN = 4;
/** Claude Code cuts each skill or command description in its listing to this many characters (with `…`). */
export const MAX_LISTED_DESCRIPTION = 1536;

/** Tokens of a text by the characters / 4 estimate (code points, rounded up). */
export function estimateTokens(text: string): number {
  let chars = 0;
  for (const _ of text) chars++;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A list field (`tools`, `disallowedTools`) as Claude Code reads it; undefined when absent or `*`. */
function toolList(value: unknown): string[] | undefined {
  const t = normalizeTools(value).tools;
  return Array.isArray(t) ? t : undefined;
}

/** `- name: description (Tools: Read, Grep)`, `(Tools: All tools)` or `(Tools: All tools except Bash)`. */
export function agentListingLine(name: string, description: string, fm: Record<string, unknown>): string {
  const desc = description.replace(/\\n/g, "\n");
  const disallowed = toolList(fm.disallowedTools) ?? [];
  const tools = toolList(fm.tools);
  let shown: string;
  if (tools) shown = tools.filter((t) => !disallowed.includes(t)).join(", ");
  else shown = disallowed.length ? `All tools except ${disallowed.join(", ")}` : "All tools";
  return `- ${name}: ${desc} (Tools: ${shown})`;
}

/** `- name: description[ - when_to_use]`, the description cut as Claude Code cuts it. */
export function skillListingLine(name: string, description: string, whenToUse?: string): string {
  const full = whenToUse ? `${description} - ${whenToUse}` : description;
  const chars = [...full];
  const cut = chars.length > MAX_LISTED_DESCRIPTION ? `${chars.slice(0, MAX_LISTED_DESCRIPTION - 1).join("")}…` : full;
  return `- ${name}: ${cut}`;
}

/** Frontmatter (lenient: none, or broken, is {}) and body of a Markdown file. */
function readMarkdown(text: string): { fm: Record<string, unknown>; body: string } {
  const split = splitFrontmatter(text);
  if (split.kind !== "ok") return { fm: {}, body: text };
  const data = parseFrontmatterYaml(split.yamlLines).data;
  return { fm: isPlainObject(data) ? data : {}, body: split.body };
}

const firstLine = (body: string) => body.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";

export type ListedKind = "agent" | "command" | "skill";

/**
 * The line Claude Code lists for a part's file, or undefined when it lists none (an agent without a name or
 * description is not loaded; a command or skill with `disable-model-invocation: true` is hidden from the model).
 * `listedName`: a command's `ns:cmd`, a skill's folder (its identity); agents are listed by their `name` field.
 */
export function listingLine(kind: ListedKind, text: string, listedName: string): string | undefined {
  const { fm, body } = readMarkdown(text);
  if (kind === "agent") {
    const name = asString(fm.name);
    const description = asString(fm.description);
    return name && description ? agentListingLine(name, description, fm) : undefined;
  }
  if (fm["disable-model-invocation"] === true) return undefined;
  const description = asString(fm.description) ?? firstLine(body);
  return skillListingLine(listedName, description, asString(fm.when_to_use));
}

/** The always-loaded cost of a part's file in tokens (0 when Claude Code lists nothing for it). */
export function listingTokens(kind: ListedKind, text: string, listedName: string): number {
  const line = listingLine(kind, text, listedName);
  return line === undefined ? 0 : estimateTokens(`${line}\n`);
}
