import { describe, expect, it } from "vitest";
import { agentListingLine, estimateTokens, listingLine, listingTokens, MAX_LISTED_DESCRIPTION, skillListingLine } from "./listing.js";

// Expected lines are those Claude Code 2.1.197 wrote into its session log (agent_listing_delta, skill_listing)
// for the same files (docs/design-notes.md, "Context cost").
const agent = (fm: string, body = "body\n") => `---\n${fm}\n---\n${body}`;

describe("the agent listing line", () => {
  it.each([
    ["name: ml-engineer\ndescription: Builds, trains and ships ML models\ntools: Read, Grep", "- ml-engineer: Builds, trains and ships ML models (Tools: Read, Grep)"],
    ["name: rev\ndescription: Reviews code", "- rev: Reviews code (Tools: All tools)"],
    ["name: star\ndescription: Star tools\ntools: \"*\"", "- star: Star tools (Tools: All tools)"],
    ["name: lim\ndescription: Limited one\ndisallowedTools: Bash, Write", "- lim: Limited one (Tools: All tools except Bash, Write)"],
    ["name: both\ndescription: Both lists\ntools: Read, Bash, Grep\ndisallowedTools: Bash", "- both: Both lists (Tools: Read, Grep)"],
    ["name: esc\ndescription: First\\nSecond\ntools: mcp__x__y, Read", "- esc: First\nSecond (Tools: mcp__x__y, Read)"],
    ["name: multi\ndescription: |\n  Line one.\n  Line two.\ntools: [Read]", "- multi: Line one.\nLine two.\n (Tools: Read)"],
  ])("%j", (fm, line) => expect(listingLine("agent", agent(fm), "ignored")).toBe(line));

  it("lists nothing for a file Claude Code does not load (no name or description, no frontmatter)", () => {
    expect(listingLine("agent", agent("name: x"), "x")).toBeUndefined();
    expect(listingLine("agent", "just text\n", "x")).toBeUndefined();
    expect(listingTokens("agent", "just text\n", "x")).toBe(0);
  });

  it("is built from the fields alone", () => {
    expect(agentListingLine("a", "b", { tools: ["Read"] })).toBe("- a: b (Tools: Read)");
  });
});

describe("the skill listing line (skills and commands)", () => {
  it.each([
    ["---\ndescription: Greets the user warmly\nargument-hint: [name]\n---\nhello $ARGUMENTS\n", "greet", "- greet: Greets the user warmly"],
    ["Just a body line here\nmore\n", "nodesc", "- nodesc: Just a body line here"],
    ["---\nname: my-skill\ndescription: Does a skill thing\nwhen_to_use: When asked for skill\n---\nbody\n", "my-skill", "- my-skill: Does a skill thing - When asked for skill"],
    ["---\ndescription: A nested command\n---\nDeep.\n", "kit:sub:deep", "- kit:sub:deep: A nested command"],
  ])("%j as %s", (text, name, line) => expect(listingLine("command", text, name)).toBe(line));

  it("cuts a description at 1,536 characters with an ellipsis, as Claude Code does", () => {
    const long = Array.from({ length: 400 }, (_, i) => `cw${i}`).join(" ");
    const line = skillListingLine("ns:c1", long);
    expect([...line].length).toBe("- ns:c1: ".length + MAX_LISTED_DESCRIPTION);
    expect(line.endsWith("…")).toBe(true);
  });

  it("hides what the model may not invoke", () => {
    expect(listingLine("skill", "---\ndescription: Hidden\ndisable-model-invocation: true\n---\nx\n", "h")).toBeUndefined();
  });
});

describe("token estimate", () => {
  it("is characters / 4, rounded up, counting code points", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
    expect(estimateTokens("😀😀😀😀")).toBe(1);
  });

  it("counts the line and its newline", () => {
    const text = agent("name: rev\ndescription: Reviews code");
    expect(listingTokens("agent", text, "rev")).toBe(Math.ceil("- rev: Reviews code (Tools: All tools)\n".length / 4));
  });
});
