import { describe, expect, it } from "vitest";
import { matchAgent, rankHits, type SearchHit } from "./search.js";

describe("matchAgent", () => {
  const a = (name: string, description = "") => ({ name, description });
  it.each([
    [a("ml"), "ml", "exact"],
    [a("ML-Engineer"), "ml", "prefix"],
    [a("html-writer"), "ml", "name"],
    [a("trainer", "Trains ML models"), "ml", "description"],
    [a("trainer", "Trains ML models"), "trains models", "description"],
    [a("trainer", "Trains ML models"), "trains cats", null],
    [a("writer", "Docs"), "ml", null],
  ] as const)("%j ~ %j -> %s", (entry, query, kind) => {
    expect(matchAgent(entry, query)).toBe(kind);
  });
});

describe("rankHits", () => {
  const hit = (name: string, registry: string, match: SearchHit["match"]): SearchHit => ({ name, registry, match, version: "1.0.0", description: "", deprecated: null });
  it("orders exact > prefix > name > description, then by name, then registry order", () => {
    const ranked = rankHits([
      hit("a-desc", "default", "description"),
      hit("x-ml", "default", "name"),
      hit("ml-b", "team", "prefix"),
      hit("ml-a", "default", "prefix"),
      hit("ml", "team", "exact"),
      hit("ml", "default", "exact"),
    ]);
    expect(ranked.map((h) => `${h.registry}/${h.name}`)).toEqual(["team/ml", "default/ml", "default/ml-a", "team/ml-b", "default/x-ml", "default/a-desc"]);
  });
});
