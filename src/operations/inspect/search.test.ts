import { describe, expect, it } from "vitest";
import { matchAgent, matchCommand, rankHits, registryHits, type SearchHit } from "./search.js";
import type { AgentEntry, PluginEntry } from "../../sources/source.js";

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
  const hit = (name: string, registry: string, match: SearchHit["match"]): SearchHit => ({ name, type: "agent", plugin: null, registry, match, version: "1.0.0", description: "", deprecated: null });
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

describe("matchCommand", () => {
  it.each([
    ["kit:greet", "greet", "exact"],
    ["kit:greet", "kit:greet", "exact"],
    ["kit:greet", "gre", "prefix"],
    ["kit:sub:deep", "deep", "name"],
    ["kit:greet", "kit", null],
    ["kit:greet", "", null],
  ] as const)("%s ~ %j -> %s", (command, query, kind) => {
    expect(matchCommand(command, query)).toBe(kind);
  });
});

describe("registryHits", () => {
  const versions = { "1.0.0": { version: "1.0.0", path: "p" } };
  const planner: AgentEntry = { name: "planner", description: "Plans work", versions, tags: {}, plugin: "kit" };
  const kit: PluginEntry = { name: "kit", description: "A kit that plans", versions, tags: {}, commands: ["kit:greet", "kit:plan"] };

  it("finds agents (naming their plugin), plugins by name and description, and commands by their own name", () => {
    const hits = registryHits("mk", [planner], [kit], "plan");
    expect(hits.map((h) => [h.type, h.name, h.plugin, h.match])).toEqual([
      ["agent", "planner", "kit", "prefix"],
      ["plugin", "kit", null, "description"],
      ["command", "kit:plan", "kit", "exact"],
    ]);
    expect(hits.every((h) => h.registry === "mk" && h.version === "1.0.0")).toBe(true);
  });

  it("does not list a plugin's every command when the query is the plugin's name", () => {
    expect(registryHits("mk", [], [kit], "kit").map((h) => [h.type, h.name])).toEqual([["plugin", "kit"]]);
  });
});
