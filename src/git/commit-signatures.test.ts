import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllowedSignerLine, parseAllowedSigners } from "./allowed-signers.js";
import { commitsPresent, readCommitSignatures } from "./commit-signatures.js";

// keys made at load time: the table of bad lines below uses them
const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-signatures-"));
for (const k of ["alice", "mallory"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", k, "-f", path.join(root, k)]);
const repo = path.join(root, "repo");
const gnupg = path.join(root, "gnupg");
const env = () => ({ PATH: process.env.PATH ?? "", HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@e" });
const run = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, env: env() }).toString().trim();
const key = (name: string) => fs.readFileSync(path.join(root, `${name}.pub`), "utf8").trim().split(" ").slice(0, 2).join(" ");
const commits: Record<string, string> = {};

beforeAll(() => {
  run(root, ["init", "-q", repo]);
  const commit = (name: string, signer?: string) => {
    fs.writeFileSync(path.join(repo, "f"), name);
    run(repo, ["add", "f"]);
    const sign = signer ? ["-c", "gpg.format=ssh", "-c", `user.signingkey=${path.join(root, `${signer}.pub`)}`, "commit", "-S"] : ["commit"];
    run(repo, [...sign, "-q", "-m", name]);
    commits[name] = run(repo, ["rev-parse", "HEAD"]);
  };
  commit("byAlice", "alice");
  commit("unsigned");
  commit("byMallory", "mallory");
  // an OpenPGP key the user's own keyring trusts ultimately (gpg made it)
  fs.mkdirSync(gnupg, { mode: 0o700 });
  execFileSync("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Gpg User <g@example.com>", "ed25519", "sign", "never"], { env: { ...env(), GNUPGHOME: gnupg }, stdio: "ignore" });
  fs.writeFileSync(path.join(repo, "f"), "byGpg");
  execFileSync("git", ["-c", "gpg.format=openpgp", "-c", "user.signingkey=g@example.com", "commit", "-qS", "-am", "byGpg"], { cwd: repo, env: { ...env(), GNUPGHOME: gnupg } });
  commits.byGpg = run(repo, ["rev-parse", "HEAD"]);
});

afterAll(() => {
  execFileSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...env(), GNUPGHOME: gnupg }, stdio: "ignore" });
  fs.rmSync(root, { recursive: true, force: true });
});

describe("allowed signers", () => {
  it("reads keys with options and comments, and gives their ssh-keygen fingerprints", () => {
    const text = `# the team\n\nalice@example.com ${key("alice")} alice's laptop\n"bob@example.com" namespaces="git,file",valid-after="20240101" ${key("mallory")}\n`;
    const signers = parseAllowedSigners(text, "keys");
    expect(signers.map((s) => s.principals)).toEqual(["alice@example.com", '"bob@example.com"']);
    const printed = execFileSync("ssh-keygen", ["-lf", path.join(root, "alice.pub")]).toString().split(" ")[1];
    expect(signers[0]!.fingerprint).toBe(printed);
    expect(signers[0]!.line).toBe(`alice@example.com ${key("alice")} alice's laptop`);
  });

  it.each([
    ["alice ssh-ed25519", /expected: principals/],
    ["alice ssh-dsa AAAA", /unknown option/],
    ["alice ssh-ed25519 not-base64!", /not base64/],
    [`alice ssh-rsa ${key("alice").split(" ")[1]}`, /not an ssh-rsa key/],
    [`alice no-touch-required ${key("alice")}`, /unknown option/],
    [`alice ${key("alice")}\u0007`, /control characters/],
  ])("refuses %j", (line, why) => {
    expect(parseAllowedSignerLine(line)).toMatch(why);
  });

  it("names the file and line of a bad key, and refuses a file without keys", () => {
    expect(() => parseAllowedSigners(`# ok\nalice ssh-ed25519 AAAA\n`, "team.keys")).toThrow(/team\.keys:2: not an allowed-signers line/);
    expect(() => parseAllowedSigners("# nothing\n", "team.keys")).toThrow(/lists no keys/);
  });
});

describe("readCommitSignatures", () => {
  it("tells good, unsigned and untrusted commits apart, whatever the user's own allowed signers say", async () => {
    // the user's own file trusts mallory too: agentpkg's list is the one that counts
    fs.writeFileSync(path.join(root, "mine"), `a ${key("alice")}\nm ${key("mallory")}\n`);
    const signers = parseAllowedSigners(`alice@example.com ${key("alice")}\n`, "keys");
    const sigs = await readCommitSignatures(repo, Object.values(commits), signers, { ...env(), GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "gpg.ssh.allowedSignersFile", GIT_CONFIG_VALUE_0: path.join(root, "mine") });
    expect(sigs.get(commits.byAlice!)).toMatchObject({ status: "good", principal: "alice@example.com", fingerprint: signers[0]!.fingerprint });
    expect(sigs.get(commits.unsigned!)).toMatchObject({ status: "unsigned" });
    expect(sigs.get(commits.byMallory!)).toMatchObject({ status: "untrusted", fingerprint: expect.stringMatching(/^SHA256:/) });
  });

  it("never takes an OpenPGP signature, even one git calls good because the user's keyring trusts the key", async () => {
    const signers = parseAllowedSigners(`alice@example.com ${key("alice")}\n`, "keys");
    const sig = (await readCommitSignatures(repo, [commits.byGpg!], signers, { ...env(), GNUPGHOME: gnupg })).get(commits.byGpg!);
    expect(sig).toMatchObject({ status: "untrusted", openpgp: true, fingerprint: expect.stringMatching(/^[0-9A-F]{40}$/) });
  });

  it("finds abbreviated commits and says which commits a repository holds", async () => {
    const signers = parseAllowedSigners(`alice@example.com ${key("alice")}\n`, "keys");
    const short = commits.byAlice!.slice(0, 12);
    expect((await readCommitSignatures(repo, [short], signers, env())).get(short)?.status).toBe("good");
    const missing = "0".repeat(40);
    expect(await commitsPresent(repo, [commits.unsigned!, missing], env())).toEqual(new Set([commits.unsigned!]));
  });
});
