// Signed registries (issue #17): the sandbox HOME is the registry maintainer's, with SSH signing set up in
// its own git config (gpg.format ssh, user.signingkey, commit.gpgsign, gpg.ssh.allowedSignersFile). The
// project trusts alice's key only; mallory's key signs too, and the maintainer's own allowed-signers file
// lists it, which must not matter: the manifest's list is the one agentpkg checks.
import fs from "node:fs";
import path from "node:path";
import { execaSync } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentText, GitRepo, Sandbox, sha256, snapshot } from "./helpers.js";

let sb: Sandbox;
let reg: string;
const keys = { alice: "", mallory: "" };

const pub = (k: keyof typeof keys) => path.join(sb.home, ".ssh", `${k}.pub`);
const fingerprint = (k: keyof typeof keys) => execaSync("ssh-keygen", ["-lf", pub(k)]).stdout.split(" ")[1]!;
const gitAs = (dir: string, args: string[]) => execaSync("git", args, { cwd: dir, env: sb.env, extendEnv: false }).stdout;
const lock = () => JSON.parse(sb.file(".claude/agentpkg.lock"));

/** Commit everything in `dir` as the maintainer: signed by `key`, or unsigned (null). */
function commitAs(dir: string, message: string, key: keyof typeof keys | null): string {
  gitAs(dir, ["add", "-A"]);
  const how = key === null ? ["commit", "--no-gpg-sign"] : ["-c", `user.signingkey=${pub(key)}`, "commit", "-S"];
  gitAs(dir, [...how, "-q", "-m", message]);
  return gitAs(dir, ["rev-parse", "HEAD"]).trim();
}

/** Publish an agent version with agentpkg, as the maintainer's git config signs it (or `key`'s, or unsigned). */
async function publish(name: string, version: string, key: keyof typeof keys | null = "alice") {
  gitAs(reg, ["config", "commit.gpgsign", key === null ? "false" : "true"]);
  gitAs(reg, ["config", "user.signingkey", pub(key ?? "alice")]);
  sb.write(`${name}.md`, agentText(name, { description: `${name} ${version}`, tools: "[Read, Grep]" }), sb.root);
  return sb.json(["publish", path.join(sb.root, `${name}.md`), "--registry", reg, "--version", version], { cwd: sb.root });
}

beforeEach(async () => {
  sb = new Sandbox();
  fs.mkdirSync(path.join(sb.home, ".ssh"), { recursive: true });
  for (const k of ["alice", "mallory"] as const) {
    execaSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", k, "-f", path.join(sb.home, ".ssh", k)]);
    keys[k] = fs.readFileSync(pub(k), "utf8").split(" ").slice(0, 2).join(" ");
  }
  fs.writeFileSync(path.join(sb.home, "allowed_signers"), `alice@example.com ${keys.alice}\nmallory@example.com ${keys.mallory}\n`);
  const config = ["user.name Maintainer", "user.email maint@example.com", "gpg.format ssh", `user.signingkey ${pub("alice")}`, "commit.gpgsign true", "tag.gpgsign true", `gpg.ssh.allowedSignersFile ${path.join(sb.home, "allowed_signers")}`];
  for (const line of config) gitAs(sb.home, ["config", "--global", ...line.split(/ (.*)/s).slice(0, 2)]);
  sb.write("team.keys", `# the maintainers\nalice@example.com ${keys.alice} alice's laptop\n`);
  reg = path.join(sb.root, "reg");
  expect((await sb.run(["registry", "init", reg, "--name", "team"], { cwd: sb.root })).code).toBe(0);
});

afterEach(() => sb.cleanup());

/** A project with `team` added with the team's keys, and rev 1.0.0 installed. */
async function signedProject() {
  expect((await publish("rev", "1.0.0")).data).toMatchObject({ signed: true, gitTag: "rev@1.0.0" });
  expect(gitAs(reg, ["cat-file", "-t", "rev@1.0.0"])).toBe("tag"); // tag.gpgsign: a signed, annotated tag, no editor
  const add = await sb.json(["registry", "add", "team", reg, "--allowed-signers", "team.keys"]);
  expect(add.code).toBe(0);
  expect(add.data).toMatchObject({ allowedSigners: 1, signer: { fingerprint: fingerprint("alice"), principal: "alice@example.com" } });
  expect((await sb.run(["install", "team/rev"])).code).toBe(0);
}

describe("signed registries", () => {
  it("installs what an allowed key signed, records the signer, and re-checks it offline", async () => {
    await signedProject();
    expect(JSON.parse(sb.file(".claude/agentpkg.json")).registries.team).toEqual({ url: reg, allowedSigners: [`alice@example.com ${keys.alice} alice's laptop`] });
    expect(lock().agents.rev).toMatchObject({ version: "1.0.0", signer: fingerprint("alice") });
    const before = sb.file(".claude/agentpkg.lock");
    expect((await sb.run(["install"])).code).toBe(0);
    expect(sb.file(".claude/agentpkg.lock")).toBe(before);

    const verify = await sb.json(["verify", "--signatures"]);
    expect(verify.data).toMatchObject({ ok: true, checkedSignatures: 1 });
    // the lock names another signer than the commit's: a problem, not a pass
    fs.writeFileSync(path.join(sb.project, ".claude/agentpkg.lock"), before.replace(fingerprint("alice"), fingerprint("mallory")));
    const forged = await sb.json(["verify", "--signatures"]);
    expect(forged.code).toBe(4);
    expect(forged.data.problems[0]).toMatchObject({ kind: "signature", name: "rev", message: expect.stringMatching(/not one of registry team's allowed signers/) });
    fs.writeFileSync(path.join(sb.project, ".claude/agentpkg.lock"), before);
    // no mirror in the cache: verify never fetches, and says so
    fs.rmSync(path.join(sb.root, "cache", "agentpkg", "git"), { recursive: true });
    const gone = await sb.json(["verify", "--signatures"]);
    expect(gone.code).toBe(4);
    expect(gone.data.problems[0].message).toMatch(/which cannot be checked: it is not in the cache/);
    // --offline with the bytes in the content store: a commit checked before is known good
    fs.rmSync(path.join(sb.project, ".claude/agents/rev.md"));
    const known = await sb.run(["install", "--offline"]);
    expect([known.code, known.stderr]).toEqual([0, ""]);
    // ... and one never checked on this machine: the lock's signer stands, with a warning
    fs.rmSync(path.join(sb.root, "cache", "agentpkg", "signatures"), { recursive: true });
    fs.rmSync(path.join(sb.project, ".claude/agents/rev.md"));
    const offline = await sb.run(["install", "--offline"]);
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(/signatures not checked.*agent rev@1\.0\.0/);
  });

  it("refuses an unsigned commit, or one signed by another key, and changes nothing", async () => {
    await signedProject();
    const before = snapshot(sb.project);
    expect((await publish("rev", "1.1.0", null)).data.signed).toBe(false);
    const unsigned = await sb.json(["upgrade"]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.data.error).toMatchObject({ code: "E_SIGNATURE", message: expect.stringMatching(/agent rev@1\.1\.0 comes from commit [0-9a-f]{12}, which is not signed; nothing was changed/) });
    expect(snapshot(sb.project)).toEqual(before);

    await publish("rev", "1.2.0", "mallory");
    const other = await sb.run(["upgrade"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`which is signed by ${fingerprint("mallory")}, a key that is not one of registry team's allowed signers`);
    expect(snapshot(sb.project)).toEqual(before);
    // a new agent at that head, and a dry run, are refused the same way
    await publish("helper", "1.0.0", "mallory");
    expect((await sb.run(["install", "team/helper"])).code).toBe(1);
    expect((await sb.run(["install", "team/helper", "--dry-run"])).code).toBe(1);
    expect(snapshot(sb.project)).toEqual(before);
    // the maintainer signs again: the upgrade goes ahead, signed by alice
    await publish("rev", "1.3.0");
    expect((await sb.run(["upgrade"])).code).toBe(0);
    expect(lock().agents.rev).toMatchObject({ version: "1.3.0", signer: fingerprint("alice") });
  });

  it("checks the locked commit itself: a signed head does not vouch for an older unsigned one", async () => {
    await publish("rev", "1.0.0", null);
    const old = gitAs(reg, ["rev-parse", "HEAD"]).trim();
    await publish("rev", "1.1.0");
    expect((await sb.run(["registry", "add", "team", reg, "--allowed-signers", "team.keys"])).code).toBe(0);
    expect((await sb.run(["install", "team/rev@1.1.0"])).code).toBe(0);
    // a lock (say, from a pull request) pinning the unsigned commit, claiming alice signed it
    const l = lock();
    const text = fs.readFileSync(path.join(reg, "agents/rev/1.0.0.md"), "utf8");
    l.agents.rev = { ...l.agents.rev, version: "1.0.0", commit: old, path: "agents/rev/1.0.0.md", sha256: sha256(text) };
    sb.write(".claude/agentpkg.lock", JSON.stringify(l));
    const manifest = JSON.parse(sb.file(".claude/agentpkg.json"));
    manifest.agents.rev = { registry: "team", version: "1.0.0" };
    sb.write(".claude/agentpkg.json", JSON.stringify(manifest));
    fs.rmSync(path.join(sb.project, ".claude/agents/rev.md"));
    const before = snapshot(sb.project);
    for (const cmd of [["install"], ["sync"]]) {
      const r = await sb.run(cmd);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`comes from commit ${old.slice(0, 12)}, which is not signed`);
      expect(snapshot(sb.project)).toEqual(before);
    }
    expect((await sb.json(["verify", "--signatures"])).data.problems.map((p: { kind: string }) => p.kind)).toContain("signature");
  });

  it("refuses a registry whose head is not signed by the keys and a bad keys file; a publish that cannot sign changes nothing", async () => {
    await publish("rev", "1.0.0", "mallory");
    const before = snapshot(sb.project);
    const add = await sb.json(["registry", "add", "team", reg, "--allowed-signers", "team.keys"]);
    expect(add.code).toBe(1);
    expect(add.data.error.message).toMatch(/registry team's head commit [0-9a-f]{12} is signed by SHA256:\S+, a key that is not in team\.keys; nothing was saved/);
    sb.write("bad.keys", "alice@example.com ssh-ed25519 not-a-key\n");
    const bad = await sb.run(["registry", "add", "team", reg, "--allowed-signers", "bad.keys"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bad.keys:1: not an allowed-signers line: the key is not base64");
    expect(snapshot(sb.project)).toEqual({ ...before, "bad.keys": expect.any(String) });
    // a publisher whose signing key is gone: git's own error, a hint about signing, the registry as it was
    const head = gitAs(reg, ["rev-parse", "HEAD"]);
    gitAs(reg, ["config", "user.signingkey", path.join(sb.home, "gone.pub")]);
    sb.write("rev.md", agentText("rev"), sb.root);
    const pub = await sb.run(["publish", path.join(sb.root, "rev.md"), "--registry", reg, "--version", "2.0.0"], { cwd: sb.root });
    expect(pub.code).toBe(1);
    expect(pub.stderr).toMatch(/could not commit to .*gone\.pub.*nothing was changed\nhint: your git signs commits/s);
    expect([gitAs(reg, ["rev-parse", "HEAD"]), gitAs(reg, ["status", "--porcelain"])]).toEqual([head, ""]);
  });

  it("install URL#AGENT --allowed-signers writes what registry add --allowed-signers + install write, and refuses a head the keys did not sign", async () => {
    await publish("rev", "1.0.0");
    const one = path.join(sb.root, "one");
    fs.mkdirSync(one);
    const keys = path.join(sb.project, "team.keys");
    const r = await sb.json(["install", `${reg}#rev`, "--as", "team", "--allowed-signers", keys], { cwd: one });
    expect(r.code).toBe(0);
    expect(r.data.registry).toMatchObject({ name: "team", added: true, allowedSigners: 1, signer: { fingerprint: fingerprint("alice"), principal: "alice@example.com" } });
    expect((await sb.run(["registry", "add", "team", reg, "--allowed-signers", "team.keys"])).code).toBe(0);
    expect((await sb.run(["install", "team/rev"])).code).toBe(0);
    for (const f of [".claude/agentpkg.json", ".claude/agentpkg.lock"]) expect(fs.readFileSync(path.join(one, f), "utf8"), f).toBe(sb.file(f));

    await publish("helper", "1.0.0", "mallory");
    const two = path.join(sb.root, "two");
    fs.mkdirSync(two);
    const bad = await sb.run(["install", `${reg}#helper`, "--allowed-signers", keys], { cwd: two });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/registry reg's head commit [0-9a-f]{12} is signed by SHA256:\S+, a key that is not in .*team\.keys; nothing was saved/);
    expect(fs.readdirSync(two)).toEqual([]);
    expect((await sb.run(["install", "team/rev", "--allowed-signers", keys])).code).toBe(2); // a configured registry: registry add's flag
  });

  it("a signed tag on an unsigned commit does not count (plain repository)", async () => {
    const plain = new GitRepo(sb.root, "plain");
    plain.write("agents/writer.md", agentText("writer"));
    const tagged = commitAs(plain.dir, "writer", null);
    gitAs(plain.dir, ["tag", "-s", "-m", "v1.0.0", "v1.0.0"]);
    gitAs(plain.dir, ["-c", `gpg.ssh.allowedSignersFile=${path.join(sb.project, "team.keys")}`, "verify-tag", "v1.0.0"]); // alice did sign the tag
    plain.write("README.md", "# agents\n");
    commitAs(plain.dir, "readme", "alice");
    expect((await sb.run(["registry", "add", "plain", plain.url, "--allowed-signers", "team.keys"])).code).toBe(0);
    const r = await sb.run(["install", "plain/writer@1.0.0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`agent writer@1.0.0 comes from commit ${tagged.slice(0, 12)}, which is not signed`);
    expect(sb.exists(".claude/agents/writer.md")).toBe(false);
  });

  it("a signed marketplace vouches for another repository's plugin only when it pins the commit", async () => {
    const ext = new GitRepo(sb.root, "ext-plugin");
    ext.write(".claude-plugin/plugin.json", { name: "ext", version: "2.0.0" }).write("agents/ext.md", agentText("ext-agent"));
    const extCommit = commitAs(ext.dir, "ext", null); // the other repository's commits are not signed at all
    const mk = new GitRepo(sb.root, "market");
    const market = (ext: Record<string, unknown>) => ({ name: "m", owner: { name: "t" }, plugins: [{ name: "notes", source: "./plugins/notes", version: "1.0.0" }, { name: "ext", source: { source: "url", url: `file://${path.join(sb.root, "ext-plugin")}`, ...ext } }] });
    mk.write(".claude-plugin/marketplace.json", market({ sha: extCommit })).write("plugins/notes/agents/notes.md", agentText("notes-agent"));
    commitAs(mk.dir, "market", "alice");
    expect((await sb.run(["registry", "add", "mk", mk.url, "--allowed-signers", "team.keys"])).code).toBe(0);
    expect((await sb.run(["install", "--plugin", "notes"])).code).toBe(0);
    expect((await sb.run(["install", "--plugin", "ext"])).code).toBe(0);
    expect(lock().plugins.ext).toMatchObject({ origin: { commit: extCommit }, signer: fingerprint("alice") });
    expect(lock().plugins.notes.signer).toBe(fingerprint("alice"));
    expect((await sb.json(["verify", "--signatures"])).data).toMatchObject({ ok: true, checkedSignatures: 2 });

    // the plugin moves on, and the marketplace now follows its branch instead of pinning a commit
    ext.write(".claude-plugin/plugin.json", { name: "ext", version: "2.1.0" });
    commitAs(ext.dir, "ext 2.1.0", null);
    mk.write(".claude-plugin/marketplace.json", market({ ref: "main" }));
    commitAs(mk.dir, "follow main", "alice");
    const before = snapshot(sb.project);
    const r = await sb.run(["upgrade", "ext"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another repository whose commits its keys do not sign, and the signed marketplace\.json at [0-9a-f]{12} follows main of .* without a sha/);
    expect(snapshot(sb.project)).toEqual(before);
  });
});
