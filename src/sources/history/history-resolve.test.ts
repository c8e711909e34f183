import { describe, expect, it } from "vitest";
import { latestVersion, resolveVersion } from "../resolve.js";
import { validRange } from "../../util/semver.js";
import { configuredRegistries } from "../registries.js";
import { parseRegistryType } from "../pick-source.js";
import { parseManifest, serializeManifest } from "../../project/manifest.js";
import type { AgentEntry } from "../source.js";

const commits = ["1111111aaaa", "2222222bbbb", "3333333cccc"];
const prereleases: AgentEntry = {
  name: "writer",
  tags: {},
  versions: Object.fromEntries(
    commits.map((c, i) => {
      const version = `0.0.0-2025010100000${i}.${c.slice(0, 7)}`;
      return [version, { version, path: "agents/writer.md", commit: c }];
    }),
  ),
};

describe("versions from history", () => {
  it("latest is the newest prerelease when an agent has nothing else", () => {
    expect(latestVersion(prereleases)).toBe("0.0.0-20250101000002.3333333");
    expect(resolveVersion(prereleases, "latest", "r").commit).toBe("3333333cccc");
    const mixed: AgentEntry = { ...prereleases, versions: { ...prereleases.versions, "1.0.0": { version: "1.0.0", path: "a.md" } } };
    expect(latestVersion(mixed)).toBe("1.0.0");
  });

  it("a caret range on a commit prerelease follows newer commits", () => {
    expect(resolveVersion(prereleases, "^0.0.0-20250101000000.1111111", "r").version).toBe("0.0.0-20250101000002.3333333");
  });

  it("a commit id (7+ hex digits) picks the version published at that commit", () => {
    expect(validRange("2222222")).toBe(true);
    expect(resolveVersion(prereleases, "2222222", "r").version).toBe("0.0.0-20250101000001.2222222");
    expect(resolveVersion(prereleases, "2222222bbbb", "r").commit).toBe("2222222bbbb");
    expect(() => resolveVersion(prereleases, "abcdef1", "r")).toThrow(/no version of writer in r matches "abcdef1"/);
  });
});

describe("registry types in the manifest", () => {
  it("accepts { url, type } next to plain url strings and writes each back as it was", () => {
    const text = '{\n  "registries": {\n    "mk": {\n      "url": "https://github.com/acme/market.git",\n      "type": "marketplace"\n    },\n    "team": "git@github.com:acme/agents.git"\n  },\n  "agents": {}\n}\n';
    const m = parseManifest(text, "agentpkg.json");
    expect(m.registries).toEqual({ mk: "https://github.com/acme/market.git", team: "git@github.com:acme/agents.git" });
    expect(m.registryTypes).toEqual({ mk: "marketplace" });
    expect(serializeManifest(m)).toBe(text);
    expect(configuredRegistries(m).slice(0, 2)).toEqual([
      { name: "mk", url: "https://github.com/acme/market.git", type: "marketplace" },
      { name: "team", url: "git@github.com:acme/agents.git" },
    ]);
  });

  it.each([
    [{ mk: { url: "x", type: "svn" } }, /registries\.mk\.type must be one of registry, marketplace, plain/],
    [{ mk: { url: "x", kind: "plain" } }, /registries\.mk: unknown field "kind"/],
    [{ mk: { type: "plain" } }, /registries\.mk must be a git url string or/],
  ])("rejects a bad object form %j", (registries, message) => {
    expect(() => parseManifest(JSON.stringify({ registries }), "agentpkg.json")).toThrow(message);
  });

  it("--type takes the three kinds only", () => {
    expect(parseRegistryType("plain", "--type")).toBe("plain");
    expect(() => parseRegistryType("npm", "--type")).toThrow(/invalid registry type "npm" in --type/);
  });
});
