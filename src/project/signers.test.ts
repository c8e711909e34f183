import { describe, expect, it } from "vitest";
import { parseLockfile, serializeLockfile } from "./lockfile.js";
import { parseManifest, serializeManifest } from "./manifest.js";

// an ed25519 public key (32 bytes after its type): any such blob is a valid key line
const blob = (byte: number) => Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, byte)]).toString("base64");
const line = `alice@example.com ssh-ed25519 ${blob(1)} alice`;
const sha = "ab".repeat(32);
const signer = "SHA256:" + "A".repeat(43);

describe("signed registries in the manifest", () => {
  it("round-trips allowedSigners in the object form, next to a type", () => {
    const text = JSON.stringify({ registries: { team: { url: "https://example.com/a.git", allowedSigners: [line] }, mk: { url: "https://example.com/m.git", type: "marketplace", allowedSigners: [line] }, plain: "https://example.com/p.git" }, agents: {} }, null, 2) + "\n";
    const m = parseManifest(text, "m");
    expect(m.registrySigners).toEqual({ team: [line], mk: [line] });
    expect(serializeManifest(m)).toBe(text);
  });

  it.each([
    [[], /must be a list of allowed-signers lines/],
    ["one line", /must be a list of allowed-signers lines/],
    [["alice ssh-ed25519 AAAA"], /allowedSigners\[0\]: the key is not an ssh-ed25519 key/],
    [[`alice gpg ${blob(1)}`], /allowedSigners\[0\]: unknown option/],
  ])("refuses allowedSigners %j, naming the field", (value, why) => {
    const text = JSON.stringify({ registries: { team: { url: "https://example.com/a.git", allowedSigners: value } }, agents: {} });
    expect(() => parseManifest(text, ".claude/agentpkg.json")).toThrow(why);
    expect(() => parseManifest(text, ".claude/agentpkg.json")).toThrow(/\.claude\/agentpkg\.json: registries\.team/);
  });
});

describe("signers in the lockfile", () => {
  const agent = { version: "1.0.0", registry: "team", url: "https://example.com/a.git", commit: "c".repeat(40), path: "agents/x/1.0.0.md", sha256: sha, file: ".claude/agents/x.md", signer };
  const plugin = { version: "1.0.0", registry: "mk", url: "https://example.com/m.git", commit: "d".repeat(40), root: "plugins/p", signer, files: {} };

  it("round-trips an agent's and a plugin's signer", () => {
    const text = serializeLockfile({ lockfileVersion: 2, agents: { x: agent }, plugins: { p: plugin } });
    const lock = parseLockfile(text, "l");
    expect(lock.agents.x!.signer).toBe(signer);
    expect(lock.plugins.p!.signer).toBe(signer);
    expect(serializeLockfile(lock)).toBe(text);
  });

  it("refuses a signer that is not an SSH key fingerprint", () => {
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, agents: { x: { ...agent, signer: "alice" } } }), "l")).toThrow(/agents\.x\.signer is not an SSH key fingerprint/);
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 2, agents: {}, plugins: { p: { ...plugin, signer: "0123" } } }), "l")).toThrow(/plugins\.p\.signer is not an SSH key fingerprint/);
  });
});
