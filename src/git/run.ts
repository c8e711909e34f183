import { builtin } from "../util/lazy.js";
import { existsSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { hasCredentials, redactCredentials } from "../util/redact.js";

export type GitUrlKind = "https" | "ssh" | "scp" | "file" | "path";

const SCP_RE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

/**
 * Accept only the URL forms of DESIGN.md §3: https, ssh, git@host:path, file:// and local paths.
 * Everything else (ext::, fd::, http, options in disguise) is refused before git sees it.
 */
export function classifyGitUrl(url: string): GitUrlKind {
  const shown = JSON.stringify(redactCredentials(url));
  const bad = (why: string): never => {
    const meant = mistypedUrl(url);
    throw new AgentpkgError("E_USAGE", `invalid registry url ${shown}: ${why}`, {
      hint: meant ? `did you mean ${redactCredentials(meant)}? (it looks like a mistyped url)` : "use https://, ssh://, git@host:path, file:// or a local path",
    });
  };
  if (hasCredentials(url)) {
    // it would be stored in the manifest, the lock, bundles and the cache, and printed in messages
    throw new AgentpkgError("E_USAGE", `invalid registry url ${shown}: it contains a password or token, which agentpkg never stores or prints`, {
      hint: "remove it from the url and let git supply it: a credential helper (git config --global credential.helper ...), or url.<base>.insteadOf in your own git config",
    });
  }
  if (url.length === 0) bad("empty");
  if (url.startsWith("-")) bad("must not start with '-'");
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^@/]*@)?-/.test(url)) bad("the host must not start with '-'");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(url)) bad("contains control characters");
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) bad("git transport helpers (like ext::) are not allowed");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === "https") return "https";
  if (scheme === "ssh" || scheme === "git+ssh") return "ssh";
  if (scheme === "file") return "file";
  if (scheme) bad(`scheme ${scheme}:// is not allowed`);
  if (SCP_RE.test(url)) return "scp";
  if (/^[A-Za-z]:[\\/]/.test(url) || url.startsWith("/") || url.startsWith(".") || !url.includes(":")) return "path";
  return bad("not a recognised git url");
}


const GITHUB_SHORTHAND = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/;

/**
 * `OWNER/NAME` as GitHub's https url, as `gh` and Claude Code's `plugin marketplace add` read it: only when
 * nothing exists at that relative path (an existing folder `team/agents` stays a local registry) and it is
 * not an archive name (`x/y.tgz`). Anything else is returned as it is.
 */
export function githubShorthand(url: string, cwd: string): string {
  if (!GITHUB_SHORTHAND.test(url) || /\.(tgz|tar\.gz)$/i.test(url) || url.endsWith("/..") || url.endsWith("/.")) return url;
  if (existsSync(path.resolve(cwd, url))) return url;
  return `https://github.com/${url.replace(/\.git$/, "")}.git`;
}

/** `https//host/x` (the colon left out): what was meant, `https://host/x`; undefined for anything else. */
export function mistypedUrl(url: string): string | undefined {
  const m = /^(https?|ssh|file)(:\/\/?|\/\/|:)(?!\/)(.+)$/i.exec(url);
  if (!m || m[2] === "://" || (m[2] === ":" && !/^[A-Za-z0-9.-]+\//.test(m[3]!))) return undefined;
  return `${m[1]}://${m[3]}`;
}

/** A url from the command line as the manifest records it: GitHub shorthand expanded, a local path made absolute. */
export function normalizeGitUrl(url: string, cwd: string): string {
  const meant = mistypedUrl(url);
  if (meant !== undefined && !existsSync(path.resolve(cwd, url))) {
    throw new AgentpkgError("E_USAGE", `"${redactCredentials(url)}" looks like a mistyped url, not a folder (there is none by that name)`, {
      hint: `did you mean ${redactCredentials(meant)}?`,
    });
  }
  const full = githubShorthand(url, cwd);
  return classifyGitUrl(full) === "path" ? path.resolve(cwd, full) : full;
}


/** Options that keep a fetched repository from running anything or asking anything. */
const HARDENING = [
  "-c", "core.hooksPath=/dev/null",
  "-c", "protocol.ext.allow=never",
  "-c", "protocol.fd.allow=never",
  "-c", "submodule.recurse=false",
  "-c", "core.fsmonitor=false",
  "-c", "credential.interactive=never",
  // the cache is ours: no background maintenance or auto-gc spawned by fetches
  "-c", "maintenance.auto=false",
  "-c", "gc.auto=0",
];

export interface GitOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** network operations get a timeout; local ones do not need one */
  timeoutMs?: number;
  encoding?: "utf8" | "buffer";
  /** bytes for git's stdin (cat-file --batch); stdin is closed otherwise */
  input?: string | Buffer;
  /** git is stopped (and the call fails) when its output passes this many bytes; default 256 MiB */
  maxOutput?: number;
  /** each progress line git writes (pass --progress): network runs only */
  onProgress?: (line: string) => void;
}

/** git's progress lines (`Receiving objects: 45% (450/1000)`, `remote: Counting objects: ...`). */
const PROGRESS_LINE = /^(remote: )?(Enumerating|Counting|Compressing|Receiving|Resolving|Total|Unpacking|Finding|Checking|Updating) /;

/** The last complete-looking progress line of a chunk of git's stderr (split on \r and \n), if any. */
export function lastProgressLine(chunk: string): string | undefined {
  return chunk.split(/[\r\n]/).map((l) => l.trim()).filter((l) => PROGRESS_LINE.test(l)).pop();
}

/** git's stderr without its progress lines: what an error message should quote. */
export function withoutProgress(stderr: string): string {
  return stderr.split(/[\r\n]/).filter((l) => l.trim() !== "" && !PROGRESS_LINE.test(l.trim())).join("\n");
}

/**
 * Variables that point git at *a* repository (or part of one) rather than configure the user's git: a hook
 * of a linked worktree, a pre-receive hook or a `git -c` alias runs agentpkg with them set, and they would
 * make agentpkg's own runs (the cache's mirrors, a clone, a registry checkout) read and write the user's
 * repository. git's own list (`git rev-parse --local-env-vars`, what git clears before it enters a
 * submodule), plus GIT_NAMESPACE and GIT_QUARANTINE_PATH, which a server-side hook may carry.
 * The user's configuration stays: GIT_CONFIG_GLOBAL/SYSTEM/NOSYSTEM, GIT_CONFIG_COUNT with its
 * GIT_CONFIG_KEY_n/VALUE_n, GIT_SSH*, GIT_ASKPASS, proxies, and GIT_CEILING_DIRECTORIES (it can only
 * narrow discovery). docs/design-notes.md lists the reasons.
 */
export const REPOSITORY_ENV = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_IMPLICIT_WORK_TREE",
  "GIT_COMMON_DIR",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_QUARANTINE_PATH",
  "GIT_SHALLOW_FILE",
  "GIT_GRAFT_FILE",
  "GIT_REPLACE_REF_BASE",
  "GIT_NO_REPLACE_OBJECTS",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
  "GIT_INTERNAL_SUPER_PREFIX",
  // config meant for the parent git's own run (`git -c ...`), and the obsolete single-file override
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG",
] as const;

/** The environment of every git agentpkg runs: never a prompt, never the caller's repository. */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
    LC_ALL: "C",
  };
  for (const name of REPOSITORY_ENV) delete out[name];
  return out;
}

const MAX_OUTPUT = 256 * 1024 * 1024;

/** ~3 ms to load: commands that never run git (verify, list) never load it. */
const childProcess = builtin<typeof import("node:child_process")>("node:child_process");

/**
 * Run git without a shell (node:child_process with an argument array; importing execa costs 100+ ms of
 * start-up, see docs/design-notes.md).
 * Rejects with GitError on a non-zero exit, a timeout or output over 256 MiB (or `maxOutput`).
 * A run without a timeout is local (the cache, a registry folder, never the network): it runs
 * synchronously, which costs milliseconds less than streams and pipes, and agentpkg awaits it anyway.
 */
export function runGit(args: string[], o: GitOptions): Promise<Buffer> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(gitEnv(o.env))) if (v !== undefined) env[k] = v;
  const maxOutput = Math.min(o.maxOutput ?? MAX_OUTPUT, MAX_OUTPUT);
  if (o.timeoutMs === undefined) return runGitLocal(args, o, env, maxOutput);
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn("git", [...HARDENING, ...args], { cwd: o.cwd, env, stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let overflow = false;
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
        }, o.timeoutMs)
      : undefined;
    child.stdout!.on("data", (d: Buffer) => {
      size += d.length;
      if (size <= maxOutput) out.push(d);
      else if (!overflow) {
        overflow = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr!.on("data", (d: Buffer) => {
      err.push(d);
      const line = o.onProgress && lastProgressLine(d.toString("utf8"));
      if (line) o.onProgress!(line);
    });
    if (o.input !== undefined) {
      child.stdin!.on("error", () => undefined); // git may exit before reading everything; the exit code tells
      child.stdin!.end(o.input);
    }
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(noGit(e) ?? new GitError(args, e.message, false, undefined));
    });
    child.on("exit", () => {
      // a killed git's own children (ssh, a credential helper) may keep the pipes open: do not wait for them
      if (!timedOut && !overflow) return;
      child.stdout!.destroy();
      child.stderr!.destroy();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(err).toString("utf8").trim();
      const stderr = o.onProgress ? withoutProgress(text) : text;
      if (code !== 0 || timedOut || overflow) reject(new GitError(args, overflow ? "output too large" : stderr, timedOut, code ?? undefined));
      else resolve(Buffer.concat(out));
    });
  });
}

/**
 * A local git whose output the caller reads as it comes (`cat-file --batch` over thousands of objects):
 * no output cap, the caller keeps only what it needs. Same hardening and environment as runGit.
 */
export function spawnGit(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): import("node:child_process").ChildProcessWithoutNullStreams;
/** `stdout`: a file descriptor git writes to directly (no stdin, no stdout stream). */
export function spawnGit(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; stdout: number }): import("node:child_process").ChildProcess;
export function spawnGit(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; stdout?: number }): import("node:child_process").ChildProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(gitEnv(o.env))) if (v !== undefined) env[k] = v;
  return childProcess().spawn("git", [...HARDENING, ...args], { cwd: o.cwd, env, stdio: o.stdout === undefined ? ["pipe", "pipe", "pipe"] : ["ignore", o.stdout, "pipe"] });
}

/** git itself is missing: say so, instead of blaming the registry. */
export function noGit(err: Error): AgentpkgError | undefined {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
  return new AgentpkgError("E_IO", "git is not installed or not on PATH: agentpkg runs git for git registries", {
    cause: err,
    hint: "install git, then re-run",
  });
}

async function runGitLocal(args: string[], o: GitOptions, env: Record<string, string>, maxOutput: number): Promise<Buffer> {
  const r = childProcess().spawnSync("git", [...HARDENING, ...args], { cwd: o.cwd, env, input: o.input, maxBuffer: maxOutput, stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  if (r.error) {
    const missing = noGit(r.error);
    if (missing) throw missing;
    const overflow = (r.error as NodeJS.ErrnoException).code === "ENOBUFS";
    throw new GitError(args, overflow ? "output too large" : r.error.message, false, r.status ?? undefined);
  }
  if (r.status !== 0) throw new GitError(args, (r.stderr ?? Buffer.alloc(0)).toString("utf8").trim(), false, r.status ?? undefined);
  return r.stdout;
}

export async function git(args: string[], o: GitOptions): Promise<string> {
  return (await runGit(args, o)).toString("utf8");
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly timedOut: boolean,
    readonly exitCode: number | undefined,
  ) {
    super(`git ${args[0] ?? ""} failed: ${redactCredentials(firstLine(stderr)) || (timedOut ? "timed out" : `exit ${exitCode}`)}`);
    this.name = "GitError";
  }
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => /^(fatal|error):/.test(l))?.replace(/^(fatal|error):\s*/, "") ?? s.split("\n")[0] ?? "";
}

/** Turn a failed network git call into the user-facing reason. */
export function explainGitFailure(err: GitError, url: string): AgentpkgError {
  const s = err.stderr;
  let why = "could not fetch";
  let hint = "check the url and your network, or use --offline to work from the cache";
  if (err.timedOut) why = "timed out";
  else if (/could not read Username|terminal prompts disabled|Authentication failed|Permission denied \(publickey|could not read Password|Host key verification failed|returned error: 40[13]|HTTP 40[13]/i.test(s)) {
    why = "authentication failed (git never prompts)";
    hint = "set up access the way plain git uses it: an ssh key in your agent, or a credential helper; check with git ls-remote URL";
  } else if (/Could not resolve host|unable to access|Connection refused|Network is unreachable|Connection timed out/i.test(s))
    why = "host unreachable";
  else if (/does not appear to be a git repository|not found|No such file or directory|does not exist/i.test(s))
    why = "no git repository there";
  return new AgentpkgError("E_REGISTRY_UNREACHABLE", `registry ${redactCredentials(url)} unreachable: ${why}`, { cause: err, hint });
}
