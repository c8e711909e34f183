// git's allowed-signers format (ssh-keygen(1), "ALLOWED SIGNERS"): the SSH keys a signed registry trusts.
// One key per line: `principals [options] keytype base64-key [comment]`. Parsed here only to refuse what
// ssh-keygen would not read and to know each key's fingerprint; git and ssh-keygen do the verifying.
import { AgentpkgError } from "../util/errors.js";
import { builtin } from "../util/lazy.js";

/** ~4 ms to load: a manifest with allowed signers is read by commands that never need a fingerprint */
const crypto = builtin<typeof import("node:crypto")>("node:crypto");

export interface AllowedSigner {
  /** the line as written (trimmed): what the temp allowed-signers file git reads holds */
  line: string;
  principals: string;
  keyType: string;
  /** `SHA256:<base64>`, as `ssh-keygen -l` and git's %GF print it */
  readonly fingerprint: string;
  /** a CA key: it vouches for certificates, whose own fingerprints are not listed */
  certAuthority: boolean;
}

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);
const OPTIONS = /^(cert-authority|namespaces="[^"]*"|valid-after="[^"]*"|valid-before="[^"]*")$/;
const MAX_LINE = 16 * 1024;
const MAX_SIGNERS = 1000;

/** Split on blanks outside double quotes (an option's value may be quoted). */
function tokens(line: string): string[] {
  return line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

/** Split options on commas outside double quotes. */
function options(text: string): string[] {
  return text.match(/(?:[^,"]+|"[^"]*")+/g) ?? [];
}

/** The key's blob, or why the key is not one: its first field must name its own type. */
function keyBlob(keyType: string, base64: string): Buffer | string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return "the key is not base64";
  const blob = Buffer.from(base64, "base64");
  const n = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (n < 0 || 4 + n > blob.length || blob.subarray(4, 4 + n).toString("latin1") !== keyType) return `the key is not an ${keyType} key`;
  return blob;
}

class Signer implements AllowedSigner {
  private print?: string;
  constructor(
    readonly line: string,
    readonly principals: string,
    readonly keyType: string,
    readonly certAuthority: boolean,
    private readonly blob: Buffer,
  ) {}

  get fingerprint(): string {
    return (this.print ??= `SHA256:${crypto().createHash("sha256").update(this.blob).digest("base64").replace(/=+$/, "")}`);
  }
}

/** One line, or the reason ssh-keygen would not accept it. */
export function parseAllowedSignerLine(raw: string): AllowedSigner | string {
  const line = raw.trim();
  if (line.length > MAX_LINE) return `longer than ${MAX_LINE} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(line.replace(/\t/g, " "))) return "contains control characters";
  const t = tokens(line);
  if (t.length < 3) return "expected: principals [options] keytype base64-key [comment]";
  const principals = t[0]!;
  if (principals.startsWith("#")) return "is a comment";
  let i = 1;
  let certAuthority = false;
  if (!KEY_TYPES.has(t[1]!)) {
    for (const o of options(t[1]!)) {
      if (!OPTIONS.test(o)) return `unknown option ${JSON.stringify(o)} (known: cert-authority, namespaces, valid-after, valid-before)`;
      if (o === "cert-authority") certAuthority = true;
    }
    i = 2;
  }
  const keyType = t[i];
  const key = t[i + 1];
  if (keyType === undefined || key === undefined) return "expected: principals [options] keytype base64-key [comment]";
  if (!KEY_TYPES.has(keyType)) return `unknown key type ${JSON.stringify(keyType)} (SSH public keys only: ${[...KEY_TYPES].join(", ")})`;
  const blob = keyBlob(keyType, key);
  if (typeof blob === "string") return blob;
  return new Signer(line, principals, keyType, certAuthority, blob);
}

/**
 * An allowed-signers file's text: every line that is not blank or a `#` comment is a key. `where` names the
 * file in messages; a bad line is a usage error naming its line number.
 */
export function parseAllowedSigners(text: string, where: string): AllowedSigner[] {
  const out: AllowedSigner[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parsed = parseAllowedSignerLine(line);
    if (typeof parsed === "string") {
      throw new AgentpkgError("E_USAGE", `${where}:${i + 1}: not an allowed-signers line: ${parsed}`, {
        hint: 'one key per line, as git uses them: alice@example.com ssh-ed25519 AAAA... (see "ALLOWED SIGNERS" in ssh-keygen(1))',
      });
    }
    out.push(parsed);
  });
  if (out.length === 0) {
    throw new AgentpkgError("E_USAGE", `${where} lists no keys`, { hint: "add one line per trusted key: alice@example.com ssh-ed25519 AAAA..." });
  }
  if (out.length > MAX_SIGNERS) throw new AgentpkgError("E_USAGE", `${where} lists ${out.length} keys; at most ${MAX_SIGNERS}`);
  return out;
}
