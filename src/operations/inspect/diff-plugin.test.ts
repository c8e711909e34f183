import { describe, expect, it } from "vitest";
import { contentDiff } from "./diff-plugin.js";
import { diffableText } from "./plugin-read.js";

describe("diffableText", () => {
  it("keeps text, refuses binary content, and indents a shared-file entry's canonical JSON", () => {
    expect(diffableText(Buffer.from("a\nb\n"), "command")).toBe("a\nb\n");
    expect(diffableText(Buffer.from([0x7f, 0x45, 0x00, 0x01]), "skill")).toBeNull();
    expect(diffableText(Buffer.from('{"args":["x"],"command":"node"}'), "mcp")).toBe('{\n  "args": [\n    "x"\n  ],\n  "command": "node"\n}\n');
  });
});

describe("contentDiff", () => {
  it("diffs text, an added or deleted file against nothing, and only says binary files differ", () => {
    expect(contentDiff(Buffer.from("a\n"), Buffer.from("b\n"), "command", "old", "new")).toBe("--- old\n+++ new\n@@ -1 +1 @@\n-a\n+b\n");
    expect(contentDiff(null, Buffer.from("b\n"), "skill", "x (deleted)", "x")).toBe("--- x (deleted)\n+++ x\n@@ -0,0 +1 @@\n+b\n");
    expect(contentDiff(Buffer.from("a\n"), Buffer.from("a\n"), "agent", "old", "new")).toBe("");
    expect(contentDiff(Buffer.from([0, 1]), Buffer.from([0, 2]), "file", "old", "new")).toBe("Binary files old and new differ\n");
    expect(contentDiff(Buffer.from('{"command":"a"}'), Buffer.from('{"command":"b"}'), "mcp", "old", "new")).toContain('-  "command": "a"\n+  "command": "b"');
  });
});
