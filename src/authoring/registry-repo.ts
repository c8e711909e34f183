// A registry working copy to change: a local checkout in place, or a temporary clone of a remote
// that is pushed back. Every change is one commit (and optionally one tag); git runs with arg arrays.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { classifyGitUrl, explainGitFailure, git, GitError } from "../git/run.js";
import { copyFileSync, linkSync, lstatSync, renameSync, rmSync } from "node:fs";
import { tempPathFor, writeFileAtomic } from "../util/atomic.js";
import { READ_LIMITS, readRegularFileIfExists } from "../util/safe-read.js";
import { acquireLock } from "../util/process-lock.js";
import { resolveScope } from "../project/scope.js";
import { readProjectFiles } from "../project/state.js";
import { BUILTIN_URL } from "../sources/bundled/builtin-source.js";
import { own } from "../util/json.js";

const NETWORK_TIMEOUT_MS = 120_000;

export interface RegistryRepo {
  /** the working tree (a temp clone for remotes) */
  dir: string;
  /** what the user named: a path or a url */
  label: string;
  /** the url pushed to, for remotes */
  remote: string | null;
  env: NodeJS.ProcessEnv;
}

export function repoGit(repo: RegistryRepo, args: string[], timeoutMs?: number): Promise<string> {
  return git(args, { cwd: repo.dir, env: repo.env, ...(timeoutMs ? { timeoutMs } : {}) });
}

async function gitOut(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return git(args, { cwd, env }).then((s) => s.trim(), () => undefined);
}

/** A registry named in the manifest (e.g. `team`) stands for its url. */
async function configuredUrl(name: string, deps: Deps): Promise<string | undefined> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined;
  const files = await readProjectFiles(resolveScope({ cwd: deps.cwd, home: deps.home, global: false })).catch(() => undefined);
  const url = own(files?.manifest.registries, name);
  if (name === "default" && url === undefined) return BUILTIN_URL;
  return url;
}

type Where = { kind: "local"; dir: string } | { kind: "remote"; url: string };

async function locate(target: string, deps: Deps): Promise<Where> {
  const kind = classifyGitUrl(target);
  if (kind !== "path") return { kind: "remote", url: target };
  const abs = path.resolve(deps.cwd, target);
  const st = await fs.stat(abs).catch(() => undefined);
  if (!st) {
    const url = await configuredUrl(target, deps);
    if (url === BUILTIN_URL) {
      throw new AgentpkgError("E_USAGE", "the bundled default registry is read-only", { hint: "publish to a git registry: agentpkg registry init DIR" });
    }
    if (url !== undefined) return locate(url, deps);
    throw new AgentpkgError("E_NOT_FOUND", `registry ${target}: no such directory, and no registry of that name in .claude/agentpkg.json`, {
      hint: `create one: agentpkg registry init ${target}`,
    });
  }
  if (!st.isDirectory()) throw new AgentpkgError("E_USAGE", `registry ${target} is not a directory`);
  if ((await gitOut(["rev-parse", "--is-bare-repository"], abs, deps.env)) === "true") return { kind: "remote", url: abs };
  return { kind: "local", dir: abs };
}

async function checkLocal(repo: RegistryRepo): Promise<void> {
  const top = await gitOut(["rev-parse", "--show-toplevel"], repo.dir, repo.env);
  if (top === undefined) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label} is not a git repository`, {
      hint: `git init ${repo.label} and commit its registry.json, or start a new registry with agentpkg registry init DIR`,
    });
  }
  if ((await fs.realpath(top)) !== (await fs.realpath(repo.dir))) {
    throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label} is not the top of its git repository (${top}); registry.json must be at the root`);
  }
}

/**
 * Open the registry, run `fn` on its working copy (under a lock for local checkouts), clean up.
 * Remote registries are cloned into a temp dir that is always removed.
 */
export async function withRegistryRepo<T>(target: string, deps: Deps, fn: (repo: RegistryRepo) => Promise<T>): Promise<T> {
  const where = await locate(target, deps);
  if (where.kind === "local") {
    const repo: RegistryRepo = { dir: where.dir, label: target, remote: null, env: deps.env };
    await checkLocal(repo);
    const gitDir = (await repoGit(repo, ["rev-parse", "--absolute-git-dir"])).trim();
    const release = await acquireLock(path.join(gitDir, "agentpkg-busy"), 15_000);
    try {
      return await fn(repo);
    } finally {
      await release();
    }
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "agentpkg-registry-"));
  try {
    const dir = path.join(tmp, "registry");
    try {
      await git(["clone", "-q", "--depth", "1", "--no-tags", "--", where.url, dir], { cwd: tmp, env: deps.env, timeoutMs: NETWORK_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof GitError) throw explainGitFailure(err, where.url);
      throw err;
    }
    return await fn({ dir, label: where.url, remote: where.url, env: deps.env });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** A file of the registry checkout (a symlink, device or pipe there is refused, never followed or read). */
function readRepoFile(repo: RegistryRepo, rel: string): Buffer | undefined {
  return readRegularFileIfExists(path.join(repo.dir, ...rel.split("/")), { limit: READ_LIMITS.registryIndex, noFollow: true, display: `${repo.label}: ${rel}` });
}

/**
 * A file a streamed write replaces, kept aside for a rollback as a second name of its bytes (a hard link,
 * else a copy), not read into memory; undefined when it does not exist.
 */
function keepAside(repo: RegistryRepo, rel: string): { aside: string } | undefined {
  const abs = path.join(repo.dir, ...rel.split("/"));
  if (!lstatSync(abs, { throwIfNoEntry: false })?.isFile()) return undefined;
  const aside = tempPathFor(abs);
  try {
    linkSync(abs, aside);
  } catch {
    copyFileSync(abs, aside);
  }
  return { aside };
}

/** Refuse to mix the user's uncommitted edits into our commit. */
async function assertClean(repo: RegistryRepo, paths: string[]): Promise<void> {
  const out = await repoGit(repo, ["--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--", ...paths]);
  const dirty = out.split("\n").filter((l) => l.length > 3).map((l) => l.slice(3));
  if (dirty.length) {
    throw new AgentpkgError("E_LOCAL_EDITS", `${repo.label} has uncommitted changes to ${dirty.join(", ")}`, {
      hint: `commit or discard them first (cd ${repo.label} && git status)`,
    });
  }
}

async function assertIdentity(repo: RegistryRepo): Promise<void> {
  try {
    await repoGit(repo, ["var", "GIT_COMMITTER_IDENT"]);
    await repoGit(repo, ["var", "GIT_AUTHOR_IDENT"]);
  } catch {
    throw new AgentpkgError("E_USAGE", "git does not know who you are, so it cannot commit to the registry", {
      hint: 'git config --global user.name "Your Name" && git config --global user.email you@example.com',
    });
  }
}

/**
 * git stages a file's bytes as they are unless .gitattributes or core.autocrlf converts them (line endings,
 * filters): then the blob id a shard names (and the sha256 registry.json records) would not be the file's.
 */
async function assertStaged(repo: RegistryRepo, expected: ReadonlyMap<string, string>): Promise<void> {
  const out = await repoGit(repo, ["ls-files", "-s", "-z", "--", ...expected.keys()]);
  const staged = new Map(out.split("\0").filter(Boolean).map((l) => [l.slice(l.indexOf("\t") + 1), l.split(" ")[1]!]));
  for (const [p, id] of expected) {
    if (staged.get(p) === id) continue;
    throw new AgentpkgError("E_REGISTRY_INVALID", `${repo.label}: git would store ${p} converted (a line-ending or filter rule: .gitattributes or core.autocrlf), not its bytes; nothing was published`, {
      hint: "add the line `agents/** -text` to the registry's .gitattributes and commit it",
    });
  }
}

/**
 * The index is HEAD's (nothing staged): a plain `git commit` then commits exactly what we stage. `git
 * commit -- paths` gives the same commit by building a second index, which at 100,000 agents (200,000
 * files) takes git to ~150 MB; it is kept for when the user has staged other files.
 */
async function nothingStaged(repo: RegistryRepo): Promise<boolean> {
  return repoGit(repo, ["diff-index", "--cached", "--quiet", "HEAD", "--"]).then(
    () => true,
    () => false,
  );
}

export async function tagExists(repo: RegistryRepo, tag: string): Promise<boolean> {
  if (repo.remote) {
    const out = await repoGit(repo, ["ls-remote", "--tags", "origin", `refs/tags/${tag}`], NETWORK_TIMEOUT_MS);
    return out.trim() !== "";
  }
  return (await gitOut(["rev-parse", "-q", "--verify", `refs/tags/${tag}`], repo.dir, repo.env)) !== undefined;
}

export interface Change {
  /**
   * a Generator: the content made as it is written (a large registry.json, never whole in memory); a
   * function: made when it is written (thousands of shards, never all in memory at once)
   */
  writes: { path: string; content: string | Buffer | Generator<Buffer> | (() => string) }[];
  /** files the commit deletes (absent ones are skipped) */
  removes?: string[];
  /** what git checks, stages and commits instead of each path: folders, for changes of thousands of files */
  pathspecs?: string[];
  /**
   * false: each file is still replaced atomically, without an fsync: for files derived from the commit's
   * others (a whole index), which a crash before the commit only leaves to be written again
   */
  durable?: boolean;
  /** blob ids the index names for files written here: git must stage exactly those bytes */
  expectBlobs?: ReadonlyMap<string, string>;
  message: string;
  tag?: string;
}

/**
 * Write the files, commit exactly them, tag, and push when remote. Before the commit exists a failure
 * restores every file; a rejected push leaves the remote untouched (the temp clone is discarded).
 */
export async function commitChange(repo: RegistryRepo, change: Change): Promise<{ commit: string; pushed: boolean; signed: boolean }> {
  const removes = (change.removes ?? []).filter((p) => readRepoFile(repo, p) !== undefined);
  const paths = [...change.writes.map((w) => w.path), ...removes];
  const specs = change.pathspecs ?? paths;
  await assertClean(repo, specs);
  await assertIdentity(repo);
  const streamed = new Set(change.writes.filter((w) => typeof w.content === "object" && !Buffer.isBuffer(w.content)).map((w) => w.path));
  const originals = paths.map((p) => (streamed.has(p) ? keepAside(repo, p) : readRepoFile(repo, p)));
  try {
    for (const w of change.writes) {
      const content = typeof w.content === "function" ? w.content() : w.content;
      await writeFileAtomic(path.join(repo.dir, ...w.path.split("/")), content, { durable: change.durable !== false });
    }
    for (const p of removes) await fs.rm(path.join(repo.dir, ...p.split("/")));
    const nothingElseStaged = await nothingStaged(repo);
    await repoGit(repo, ["add", "-A", "--", ...specs]);
    if (change.expectBlobs?.size) await assertStaged(repo, change.expectBlobs);
    await repoGit(repo, ["commit", "-q", "--no-verify", "-m", change.message, ...(nothingElseStaged ? [] : ["--", ...specs])]);
  } catch (err) {
    for (const [i, p] of paths.entries()) {
      const abs = path.join(repo.dir, ...p.split("/"));
      const orig = originals[i];
      if (Buffer.isBuffer(orig)) await writeFileAtomic(abs, orig);
      else if (orig) renameSync(orig.aside, abs);
      else await fs.rm(abs, { force: true });
    }
    await repoGit(repo, ["reset", "-q", "--", ...specs]).catch(() => undefined);
    if (err instanceof GitError) {
      const signing = /sign|gpg|ssh-keygen|public key|private key|passphrase/i.test(err.stderr);
      throw new AgentpkgError("E_IO", `could not commit to ${repo.label}: ${err.message}; nothing was changed`, {
        cause: err,
        ...(signing ? { hint: "your git signs commits (commit.gpgSign): check user.signingKey, and that the key works without a prompt (ssh-agent, gpg-agent); git commit -S shows the same error" } : {}),
      });
    }
    throw err;
  } finally {
    for (const orig of originals) if (orig && !Buffer.isBuffer(orig)) rmSync(orig.aside, { force: true });
  }
  if (change.tag) await repoGit(repo, ["tag", ...(await signsTags(repo) ? ["-m", change.message] : []), change.tag]);
  const commit = (await repoGit(repo, ["rev-parse", "HEAD"])).trim();
  const signed = /^gpgsig(-sha256)? /m.test((await repoGit(repo, ["cat-file", "commit", commit])).split("\n\n")[0]!);
  if (!repo.remote) return { commit, pushed: false, signed };
  try {
    await repoGit(repo, ["push", "-q", "--atomic", "origin", "HEAD", ...(change.tag ? [`refs/tags/${change.tag}`] : [])], NETWORK_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    if (/rejected|non-fast-forward|fetch first|already exists/i.test(err.stderr)) {
      throw new AgentpkgError("E_CONFLICT", `push to ${repo.remote} was rejected: the registry changed meanwhile; nothing was published`, {
        hint: "run the same command again",
        cause: err,
      });
    }
    throw explainGitFailure(err, repo.remote);
  }
  return { commit, pushed: true, signed };
}

/**
 * The user's git signs tags (tag.gpgSign): a signed tag is annotated, so it gets the commit's message;
 * without one git would open an editor to ask for it. Commits are signed by git itself (commit.gpgSign),
 * from the user's own config, which agentpkg's runs keep.
 */
async function signsTags(repo: RegistryRepo): Promise<boolean> {
  return (await gitOut(["config", "--type=bool", "--get", "tag.gpgSign"], repo.dir, repo.env)) === "true";
}
