import { describe, expect, it } from "vitest";
import type { LockedFile } from "../project/lockfile.js";
import type { Step } from "../plan/plan.js";
import { renderStep } from "./render-plan.js";

const locked = (version: string): LockedFile => ({ name: "x", kind: "agent", part: "x", version, registry: "r", url: "u", commit: null, path: "p", sha256: "a".repeat(64), file: ".claude/agents/x.md" });

describe("renderStep", () => {
  it("an upgrade kept as edited stays at its version, saying the new one was not installed", () => {
    const step: Step = { op: "update", name: "x", file: ".claude/agents/x.md", kind: "agent", from: locked("1.0.0"), to: locked("1.0.3"), local: "modified", resolution: "keep" };
    expect(renderStep(step)).toBe("~ x 1.0.0  (locally modified, kept as is, 1.0.3 not installed)");
    expect(renderStep({ ...step, resolution: "overwrite" })).toBe("~ x 1.0.0 -> 1.0.3  (locally modified, overwritten, backup saved)");
  });

  it("a forced remove of an edited file says it was deleted, not overwritten", () => {
    const step: Step = { op: "remove", name: "x", file: ".claude/agents/x.md", kind: "agent", from: locked("1.0.0"), local: "modified", resolution: "overwrite" };
    expect(renderStep(step)).toBe("- x 1.0.0  (locally modified, deleted, backup saved)");
  });
});
