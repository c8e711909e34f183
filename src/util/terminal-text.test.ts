import { describe, expect, it } from "vitest";
import { sgr, terminalSafe, visibleLength } from "./terminal-text.js";

describe("terminalSafe", () => {
  it("leaves plain text, tabs and newlines alone", () => {
    expect(terminalSafe("a\tb\nc — ünïcode ✓\n")).toBe("a\tb\nc — ünïcode ✓\n");
  });

  it("shows control characters escaped: CR, ESC, BEL, backspace, DEL, C1", () => {
    expect(terminalSafe("hooks: {PreToolUse\r\u001b[2K~ model: x}")).toBe("hooks: {PreToolUse\\u000d\\u001b[2K~ model: x}");
    expect(terminalSafe("\u0007\u0008\u007f\u009b31m")).toBe("\\u0007\\u0008\\u007f\\u009b31m");
  });

  it("escapes bidi controls and Unicode line separators, which reorder or break what is shown", () => {
    expect(terminalSafe("safe\u202Ehs.lirt\u2066x\u2028y")).toBe("safe\\u202ehs.lirt\\u2066x\\u2028y");
  });

  it("turns agentpkg's own colour markers into SGR codes, and only those", () => {
    expect(terminalSafe(`${sgr(31)}red${sgr(0)}`)).toBe("\u001b[31mred\u001b[0m");
    // a marker forged from outside (wrong nonce) is escaped, never a colour (ESC[8m would hide the rest)
    expect(terminalSafe("\uE000abc:8\uE001hidden")).toBe("\\ue000abc:8\\ue001hidden");
  });

  it("keeps a JSON document exact: its escapes are JSON's own", () => {
    const doc = JSON.stringify({ d: "x\u009b\u202ey\u0085" });
    expect(JSON.parse(terminalSafe(doc))).toEqual(JSON.parse(doc));
  });
});

describe("visibleLength", () => {
  it("counts what is shown, not colour markers", () => {
    expect(visibleLength(`${sgr(31)}red${sgr(0)}`)).toBe(3);
    expect(visibleLength("plain")).toBe(5);
  });
});
