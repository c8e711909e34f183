import { describe, expect, it } from "vitest";
import type { Io } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { reportError } from "./report-error.js";

function capture(): { io: Io; lines: string[] } {
  const lines: string[] = [];
  return { lines, io: { out: (t) => void lines.push(t), err: (t) => void lines.push(t), isTTY: false, interactive: false, color: false } };
}

const URL = "https://deploy:s3cret@host/reg.git";

describe("reportError", () => {
  it("redacts credentials in every line it prints: message, details, hint, cause, JSON", () => {
    const cause = new Error(`git clone ${URL} failed`);
    const err = new AgentpkgError("E_REGISTRY_UNREACHABLE", `registry ${URL} unreachable`, { cause, details: [`tried ${URL}`], hint: `check ${URL}` });
    for (const o of [{ json: false, verbose: true }, { json: true, verbose: false }]) {
      const { io, lines } = capture();
      expect(reportError(err, io, o)).toBe(6);
      const said = lines.join("\n");
      expect(said).not.toContain("s3cret");
      expect(said).toContain("https://***@host/reg.git");
    }
  });

  it("redacts an internal error's message and stack too", () => {
    const { io, lines } = capture();
    expect(reportError(new TypeError(`bad ${URL}`), io, { json: false, verbose: true })).toBe(1);
    expect(lines.join("\n")).not.toContain("s3cret");
  });
});
