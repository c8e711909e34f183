import { describe, expect, it } from "vitest";
import { isSafeRegistryPath } from "./safe-path.js";

describe("isSafeRegistryPath", () => {
  it.each(["agents/x/1.0.0.md", "x.md", ".hidden/x.md", "a/.../b.md", "plugins/p q/agents/r.md"])("accepts %j", (p) => expect(isSafeRegistryPath(p)).toBe(true));

  it.each([
    "",
    ".",
    "..",
    "../../../../tmp/x",
    "agents/../../x.md",
    "agents/x/..",
    "./agents/x.md",
    "agents/./x.md",
    "agents//x.md",
    "agents/",
    "/etc/passwd",
    "//server/share/x.md",
    "C:x.md",
    "c:/x.md",
    "agents\\..\\x.md",
    "agents/x\u0000.md",
    "agents/\u001b[2Kx.md",
    "agents/x\n.md",
  ])("refuses %j", (p) => expect(isSafeRegistryPath(p)).toBe(false));
});
