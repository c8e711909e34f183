import { describe, expect, it } from "vitest";
import { partsCell, pluginFileLines } from "./render-packages.js";

const plain = { color: false };

describe("partsCell", () => {
  it("counts a plugin's parts by kind, and names the parts of a PLUGIN:PART install", () => {
    expect(partsCell({ parts: { agent: ["a", "b"], mcp: ["s"] }, selected: null })).toBe("plugin: 2 agents, 1 MCP server");
    expect(partsCell({ parts: { command: ["kit:greet"] }, selected: ["greet"] })).toBe("plugin, parts greet: 1 command");
    expect(partsCell({ parts: {}, selected: null })).toBe("plugin: no parts");
  });
});

describe("pluginFileLines", () => {
  it("lists each file that is not ok under its plugin, entries by what they are, edits when known", () => {
    const lines = pluginFileLines(plain, [
      { name: "ok", files: [] },
      {
        name: "kit",
        files: [
          { file: ".claude/commands/kit/greet.md", kind: "command", part: "kit:greet", state: "modified", edits: { added: 1, removed: 2 } },
          { file: ".mcp.json#mcpServers/s", kind: "mcp", part: "s", state: "missing", edits: null },
        ],
      },
    ]);
    expect(lines).toEqual(["", "plugin kit:", "  modified (+1 -2)  .claude/commands/kit/greet.md", "  missing           MCP server s in .mcp.json"]);
  });

  it("counts what is past 20 files instead of listing it", () => {
    const files = Array.from({ length: 25 }, (_, i) => ({ file: `.claude/skills/s/f${i}`, kind: "skill" as const, part: "s", state: "missing" as const }));
    const lines = pluginFileLines(plain, [{ name: "big", files }]);
    expect(lines).toHaveLength(2 + 20 + 1);
    expect(lines.at(-1)).toBe("  … and 5 more (--json lists them all)");
  });
});
