import { describe, expect, it } from "vitest";
import { closeMatches, closeMatchesAcross, notFoundHint } from "./suggest.js";

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

describe("notFoundHint", () => {
  const entries = [
    { name: "rev", registry: "team" },
    { name: "review", registry: "team" },
  ];
  it("names a registry whose registry.json lists the exact name its index lacks", () => {
    expect(notFoundHint("rev", entries, "search")).toBe(
      'registry team lists "rev" in registry.json but its sharded index (index/) has no entry for it: its maintainers must run agentpkg registry index',
    );
  });
  it("otherwise suggests close names, else the fallback", () => {
    expect(notFoundHint("reviw", entries, "search")).toBe("did you mean review, rev?");
    expect(notFoundHint("zzzzzzzz", entries, "search")).toBe("search");
  });
});
