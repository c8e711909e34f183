// Who signed a commit, as `git verify-commit` decides it, against a list of allowed SSH keys rather than
// the user's own gpg.ssh.allowedSignersFile: the list is written to a temp file that only this run's git
// reads (`-c gpg.ssh.allowedSignersFile=...` on top of the user's config, which otherwise applies).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { git } from "./run.js";
import type { AllowedSigner } from "./allowed-signers.js";

export type SignatureStatus =
  /** a good signature by one of the allowed keys */
  | "good"
  | "unsigned"
  /** a valid signature by a key that is not allowed (SSH), or an OpenPGP / X.509 signature */
  | "untrusted"
  /** the signature does not match the commit */
  | "bad"
  /** the key (or signature) has expired, or was revoked */
  | "expired"
  | "revoked"
  /** git could not check it (the verification program failed or is missing) */
  | "unverifiable";

export interface CommitSignature {
  commit: string;
  status: SignatureStatus;
  /** the signing key's fingerprint (`SHA256:...` for SSH; hex for OpenPGP), when git found one */
  fingerprint?: string;
  /** the allowed-signers principal that matched (good SSH signatures) */
  principal?: string;
  /** an OpenPGP or X.509 signature: never good here, the allowed signers are SSH keys */
  openpgp?: boolean;
}

const STATUS: Record<string, SignatureStatus> = { G: "good", U: "untrusted", N: "unsigned", B: "bad", X: "expired", Y: "expired", R: "revoked", E: "unverifiable" };

/**
 * The signature of each commit (all present in `dir`), in one `git log --no-walk`. A commit is good only
 * when git says so (a valid SSH signature whose key and principal the allowed list has, within its
 * valid-after/valid-before and namespaces) and its key's fingerprint is one of the list's (a line with
 * cert-authority vouches for certificates, whose keys it does not list).
 */
export async function readCommitSignatures(dir: string, commits: readonly string[], signers: readonly AllowedSigner[], env: NodeJS.ProcessEnv): Promise<Map<string, CommitSignature>> {
  const out = new Map<string, CommitSignature>();
  const unique = [...new Set(commits)];
  if (unique.length === 0) return out;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-signers-"));
  try {
    const file = path.join(tmp, "allowed_signers");
    fs.writeFileSync(file, signers.map((s) => s.line).join("\n") + "\n", { mode: 0o600 });
    const text = await git(
      ["-c", `gpg.ssh.allowedSignersFile=${file}`, "log", "--no-walk=unsorted", "--no-show-signature", "--no-color", "--format=%H%x1f%G?%x1f%GF%x1f%GS%x1e", ...unique, "--"],
      { cwd: dir, env },
    );
    const allowed = new Set(signers.map((s) => s.fingerprint));
    const viaCertificate = signers.some((s) => s.certAuthority);
    for (const record of text.split("\x1e")) {
      const [full, code, fingerprint, principal] = record.replace(/^\n/, "").split("\x1f");
      if (!full || code === undefined) continue;
      let status = STATUS[code] ?? "unverifiable";
      const openpgp = fingerprint !== undefined && fingerprint !== "" && !fingerprint.startsWith("SHA256:");
      if (status === "good" && (openpgp || !(allowed.has(fingerprint!) || viaCertificate))) status = "untrusted";
      const sig: CommitSignature = { commit: full, status, ...(fingerprint ? { fingerprint } : {}), ...(principal ? { principal } : {}), ...(openpgp ? { openpgp } : {}) };
      for (const c of unique) if (full.startsWith(c)) out.set(c, { ...sig, commit: c });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** Which of these commits `dir` holds (one `cat-file --batch-check`). */
export async function commitsPresent(dir: string, commits: readonly string[], env: NodeJS.ProcessEnv): Promise<Set<string>> {
  const unique = [...new Set(commits)];
  const have = new Set<string>();
  if (unique.length === 0) return have;
  const text = await git(["cat-file", "--batch-check"], { cwd: dir, env, input: unique.map((c) => `${c}^{commit}`).join("\n") + "\n" }).catch(() => "");
  text.split("\n").forEach((line, i) => {
    if (/^[0-9a-f]{40,64} commit /.test(line) && unique[i] !== undefined) have.add(unique[i]!);
  });
  return have;
}
