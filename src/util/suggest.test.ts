import { describe, expect, it } from "vitest";
import { closeMatches, closeMatchesAcross } from "./suggest.js";

describe("closeMatchesAcross", () => {
  it("names a name once, with the registries that have it", () => {
    const entries = ["default", "team", "other"].map((registry) => ({ name: "ml-engineer", registry }));
    expect(closeMatchesAcross("ml-enginer", [...entries, { name: "ml-engineers", registry: "team" }])).toEqual(["ml-engineer (in default, team, other)", "ml-engineers"]);
  });

  it("agrees with closeMatches for one registry", () => {
    const names = ["debugger", "docs-writer", "deploy"];
    expect(closeMatchesAcross("debuger", names.map((name) => ({ name, registry: "r" })))).toEqual(closeMatches("debuger", names));
  });
});
