// The writer side of the sharded registry index: registry init, publish/deprecate, registry index, validate.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, git, Sandbox, snapshot, TestRegistry } from "./helpers.js";

const GIT_ID = { GIT_AUTHOR_NAME: "Pub", GIT_AUTHOR_EMAIL: "pub@example.com", GIT_COMMITTER_NAME: "Pub", GIT_COMMITTER_EMAIL: "pub@example.com" };

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(() => sb.cleanup());

const read = (dir: string, rel: string) => JSON.parse(fs.readFileSync(path.join(dir, rel), "utf8"));
const codes = (data: { files: { path: string; problems: { code: string }[] }[] }) => data.files.flatMap((f) => f.problems.map((p) => `${f.path} ${p.code}`)).sort();

/** Every version's blob in the shards is the id git has at HEAD for its path. */
function expectBlobsCommitted(reg: string, names: string[]): void {
  for (const name of names) {
    const shard = read(reg, `index/${name.slice(0, 2).toLowerCase()}/${name}.json`);
    expect(shard.name).toBe(name);
    const { name: _n, ...rest } = shard;
    const entry = read(reg, "registry.json").agents[name];
    for (const [v, info] of Object.entries(rest.versions as Record<string, { path: string; blob: string }>)) {
      expect(info.blob).toBe(git(reg, ["rev-parse", `HEAD:${info.path}`]).trim());
      const { blob: _b, ...withoutBlob } = info;
      expect(withoutBlob).toEqual(entry.versions[v]);
    }
    expect({ ...rest, versions: entry.versions }).toEqual(entry);
  }
}

describe("sharded index: registry init and publish", () => {
  it("a new registry is sharded in its first commit; publish and deprecate keep the shard and the count in step", async () => {
    const init = await sb.run(["registry", "init", "reg", "--name", "team"], { env: GIT_ID });
    expect(init.code, init.stderr).toBe(0);
    const reg = path.join(sb.project, "reg");
    expect(git(reg, ["show", "--name-only", "--format=", "HEAD"]).split("\n").filter(Boolean).sort()).toEqual(
      [".gitattributes", "README.md", "agents/example-agent/0.1.0.md", "index/config.json", "index/ex/example-agent.json", "registry.json"],
    );
    expect(sb.file("index/config.json", reg)).toBe('{\n  "format": 1,\n  "agents": 1\n}\n');
    expectBlobsCommitted(reg, ["example-agent"]);

    sb.write("rev.md", agentText("Reviewer"));
    const pub = await sb.json(["publish", "rev.md", "--registry", "reg"], { env: GIT_ID });
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.data.index).toEqual(["index/re/Reviewer.json", "index/config.json"]);
    expect(git(reg, ["show", "--name-only", "--format=", "HEAD"]).split("\n").filter(Boolean).sort()).toEqual(
      ["agents/Reviewer/1.0.0.md", "index/config.json", "index/re/Reviewer.json", "registry.json"],
    );
    expect(read(reg, "index/config.json")).toEqual({ format: 1, agents: 2 });
    expectBlobsCommitted(reg, ["example-agent", "Reviewer"]);

    sb.write("rev.md", agentText("Reviewer", { body: "Second version.\n" }));
    expect((await sb.run(["publish", "rev.md", "--registry", "reg", "--bump", "minor"], { env: GIT_ID })).code).toBe(0);
    expect(git(reg, ["show", "--name-only", "--format=", "HEAD"]).split("\n").filter(Boolean).sort()).toEqual(
      ["agents/Reviewer/1.1.0.md", "index/re/Reviewer.json", "registry.json"],
    );
    expect((await sb.run(["deprecate", "Reviewer", "--registry", "reg", "--message", "use other"], { env: GIT_ID })).code).toBe(0);
    expect(read(reg, "index/re/Reviewer.json").deprecated).toBe("use other");
    expectBlobsCommitted(reg, ["example-agent", "Reviewer"]);
    expect(git(reg, ["status", "--porcelain"])).toBe("");

    const ok = await sb.json(["validate"], { cwd: reg });
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.data.indexes).toEqual([{ dir: ".", shards: 2 }]);
    expect((await sb.run(["validate"], { cwd: reg })).stdout).toContain("the index of . (2 shards) checked: 0 errors");
    // validate DIR: the registry's agent files (<name>/<version>.md, no file-name warning) and index, not its README
    const dir = await sb.json(["validate", reg]);
    expect(dir.code, dir.stdout).toBe(0);
    const files = dir.data.files as { path: string; problems: { code: string }[] }[];
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => /agents\/[^/]+\/[^/]+\.md$/.test(f.path))).toBe(true);
    expect(files.some((f) => f.path.endsWith("README.md"))).toBe(false);
    expect(files.flatMap((f) => f.problems.map((p) => p.code))).not.toContain("name-file-mismatch");
  });
});

describe("sharded index: registry index", () => {
  it("shards a registry.json-only registry, commits it, removes the shard of a dropped agent; publish never shards on its own", async () => {
    const tr = new TestRegistry(sb.root, "plain-reg");
    tr.publish("alpha", [{ version: "1.0.0", content: agentText("alpha") }, { version: "1.1.0", content: agentText("alpha", { body: "v2\n" }) }], { latest: "1.1.0" });
    tr.publish("Be", [{ version: "0.1.0", content: agentText("Be") }]);
    const reg = tr.dir;

    sb.write("gamma.md", agentText("gamma"));
    expect((await sb.run(["publish", "gamma.md", "--registry", reg], { env: GIT_ID })).code).toBe(0);
    expect(fs.existsSync(path.join(reg, "index"))).toBe(false);

    const before = snapshot(reg);
    const dry = await sb.json(["registry", "index", reg, "--dry-run"], { env: GIT_ID });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.data).toMatchObject({ agents: 3, written: ["index/config.json", "index/al/alpha.json", "index/be/Be.json", "index/ga/gamma.json"], removed: [], commit: null, dryRun: true });
    expect(snapshot(reg)).toEqual(before);

    const run = await sb.json(["registry", "index", reg], { env: GIT_ID });
    expect(run.code, run.stderr).toBe(0);
    expect(run.data.commit).toBe(git(reg, ["rev-parse", "HEAD"]).trim());
    expect(read(reg, "index/config.json")).toEqual({ format: 1, agents: 3 });
    expectBlobsCommitted(reg, ["alpha", "Be", "gamma"]);
    expect(git(reg, ["status", "--porcelain"])).toBe("");

    const again = await sb.run(["registry", "index"], { cwd: reg, env: GIT_ID });
    expect(again.stdout).toContain("the index of . is up to date (3 agents)");
    expect(git(reg, ["rev-parse", "HEAD"]).trim()).toBe(run.data.commit);

    const raw = read(reg, "registry.json");
    delete raw.agents.Be;
    fs.writeFileSync(path.join(reg, "registry.json"), JSON.stringify(raw, null, 2) + "\n");
    const dirty = await sb.run(["registry", "index", reg], { env: GIT_ID });
    expect(dirty.code).toBe(3);
    expect(dirty.stderr).toContain("uncommitted changes to registry.json");
    git(reg, ["commit", "-q", "-am", "drop Be"]);
    const drop = await sb.json(["registry", "index", reg], { env: GIT_ID });
    expect(drop.data).toMatchObject({ agents: 2, written: ["index/config.json"], removed: ["index/be/Be.json"] });
    expect(fs.existsSync(path.join(reg, "index", "be"))).toBe(false);
    expect(git(reg, ["ls-files", "index"]).split("\n").sort()).toEqual(["index/al/alpha.json", "index/config.json", "index/ga/gamma.json"]);
  });
});

describe("sharded index: validate", () => {
  it("reports each disagreement, one line naming the file", async () => {
    expect((await sb.run(["registry", "init", "reg"], { env: GIT_ID })).code).toBe(0);
    const reg = path.join(sb.project, "reg");
    for (const name of ["beta", "gamma"]) {
      sb.write(`${name}.md`, agentText(name));
      expect((await sb.run(["publish", `${name}.md`, "--registry", "reg"], { env: GIT_ID })).code).toBe(0);
    }
    const edit = (rel: string, fn: (j: Record<string, any>) => void) => {
      const j = read(reg, rel);
      fn(j);
      fs.writeFileSync(path.join(reg, rel), JSON.stringify(j, null, 2) + "\n");
    };
    edit("index/config.json", (j) => (j.agents = 7));
    edit("index/be/beta.json", (j) => {
      j.name = "Beta";
      j.description = "changed";
      j.versions["1.0.0"].blob = "0".repeat(40);
    });
    fs.rmSync(path.join(reg, "index/ga/gamma.json"));
    fs.mkdirSync(path.join(reg, "index/zz"));
    fs.writeFileSync(path.join(reg, "index/zz/zz-gone.json"), "{}\n");

    const r = await sb.json(["validate", "reg"]);
    expect(r.code).toBe(1);
    expect(codes(r.data).filter((c) => c.startsWith("reg/index"))).toEqual([
      "reg/index/be/beta.json shard-blob",
      "reg/index/be/beta.json shard-differs",
      "reg/index/be/beta.json shard-name",
      "reg/index/config.json index-count",
      "reg/index/ga/gamma.json shard-missing",
      "reg/index/zz/zz-gone.json shard-extra",
    ]);
    const human = await sb.run(["validate"], { cwd: reg });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`index/be/beta.json: error shard-blob: versions.1.0.0.blob is ${"0".repeat(40)}, but agents/beta/1.0.0.md is ${git(reg, ["rev-parse", "HEAD:agents/beta/1.0.0.md"]).trim()} in git; run agentpkg registry index`);
    expect(human.stdout).toContain("index/config.json: error index-count: says 7 agents, registry.json has 3; run agentpkg registry index");
    expect(human.stdout).toContain("index/be/beta.json: error shard-differs: disagrees with registry.json's entry for beta (description); run agentpkg registry index");

    git(reg, ["checkout", "--", "index"]);
    fs.rmSync(path.join(reg, "index/zz"), { recursive: true });
    expect((await sb.run(["validate"], { cwd: reg })).code).toBe(0);
  });
});
