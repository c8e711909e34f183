import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentpkgError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { removeStaleCacheTemps } from "./cache-temps.js";
import { sha256, randomHex } from "../util/hash.js";
import { classifyGitUrl } from "../git/run.js";
import { readArchive, type ExtractPolicy } from "../archive/safe-extract.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { redactCredentials } from "../util/redact.js";
import { readSmallJson, refusal, tryReadRegularFile } from "../util/safe-read.js";
import type { RefreshPolicy } from "./git-mirrors.js";

const MIB = 1024 * 1024;
const MAX_ARCHIVE_BYTES = 256 * MIB;
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** One extracted archive in the cache: <cache>/tarballs/<sha256 of the archive>/ */
export interface TarballSnapshot {
  sha256: string;
  dir: string;
}

export function snapshotDir(cache: string, archiveSha: string): string {
  return path.join(cache, "tarballs", archiveSha);
}

/** Registry archives: registry.json (at the root or under one top-level folder), agent .md files, a sharded index/. */
function registryPolicy(label: string): ExtractPolicy {
  const isIndex = (p: string) => path.posix.basename(p) === "registry.json" && p.split("/").length <= 2;
  return {
    label,
    maxEntries: 100_000,
    maxTotalBytes: 512 * MIB,
    maxFileBytes: (p) => (isIndex(p) ? 64 * MIB : MAX_AGENT_BYTES),
    want: (p) => isIndex(p) || p.endsWith(".md") || /(^|\/)index\/.+\.json$/.test(p),
  };
}

/**
 * The extracted snapshot of a tarball registry. Local files (a path or file://) are read every time;
 * https archives are downloaded when missing, stale ("if-stale", past ttl) or always, never offline.
 */
export async function ensureTarball(
  url: string,
  o: { cache: string; policy: RefreshPolicy; ttlMs: number; label: string },
): Promise<TarballSnapshot> {
  const kind = classifyGitUrl(url);
  if (kind === "path" || kind === "file") {
    const file = kind === "file" ? fileURLToPath(url) : path.resolve(url);
    return extractSnapshot(await readLocal(file, o.label), o.cache, o.label);
  }
  if (kind !== "https") {
    throw new AgentpkgError("E_USAGE", `registry ${o.label}: a tarball registry must be an https:// url or a local file (${redactCredentials(url)})`);
  }
  const pointer = path.join(o.cache, "tarballs", `url-${sha256(url).slice(0, 32)}.json`);
  const meta = await readPointer(pointer, url);
  const cached = meta && (await exists(path.join(snapshotDir(o.cache, meta.sha256), "registry.json")));
  if (meta && cached && (o.policy === "never" || (o.policy === "if-stale" && Date.now() - meta.fetchedAt < o.ttlMs))) {
    return { sha256: meta.sha256, dir: snapshotDir(o.cache, meta.sha256) };
  }
  if (o.policy === "never") {
    throw new AgentpkgError("E_OFFLINE", `registry ${redactCredentials(url)} is not in the cache (--offline)`, { hint: "run the same command once without --offline to fill the cache" });
  }
  const snap = await extractSnapshot(await download(url, o.label), o.cache, o.label);
  await writeFileAtomic(pointer, JSON.stringify({ url, sha256: snap.sha256, fetchedAt: Date.now() }));
  return snap;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function readPointer(file: string, url: string): Promise<{ sha256: string; fetchedAt: number } | undefined> {
  const raw = readSmallJson(file) as { url?: unknown; sha256?: unknown; fetchedAt?: unknown } | undefined;
  if (raw?.url !== url || typeof raw.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(raw.sha256) || typeof raw.fetchedAt !== "number") return undefined;
  return { sha256: raw.sha256, fetchedAt: raw.fetchedAt };
}

async function readLocal(file: string, label: string): Promise<Buffer> {
  const r = tryReadRegularFile(file, { limit: MAX_ARCHIVE_BYTES });
  if (r.ok) return r.data;
  if (r.kind === "missing") throw new AgentpkgError("E_NOT_FOUND", `registry ${label}: ${file} is not a file`, { hint: "check the path, or make the archive with agentpkg registry pack DIR -o FILE" });
  throw refusal(r, MAX_ARCHIVE_BYTES, { display: `registry ${label}: ${file}`, what: "a registry archive", suffix: "", hint: "point the registry at a .tgz file (agentpkg registry pack DIR -o FILE)" });
}

async function download(url: string, label: string): Promise<Buffer> {
  const unreachable = (why: string, cause?: unknown) =>
    new AgentpkgError("E_REGISTRY_UNREACHABLE", `registry ${label}: cannot download ${redactCredentials(url)} (${why})`, { cause, hint: "check the url and your network, or use --offline with a cached copy" });
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw unreachable((err as Error).message, err);
  }
  if (!res.ok || !res.body) throw unreachable(`HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_ARCHIVE_BYTES) {
      await reader.cancel();
      throw new AgentpkgError("E_UNSAFE", `registry ${label}: ${redactCredentials(url)} is over the ${MAX_ARCHIVE_BYTES}-byte limit`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Extract once per archive sha256: read and check everything in memory, write a temp dir, rename it into place. */
async function extractSnapshot(bytes: Buffer, cache: string, label: string): Promise<TarballSnapshot> {
  const hash = sha256(bytes);
  const dir = snapshotDir(cache, hash);
  if (await exists(path.join(dir, "registry.json"))) return { sha256: hash, dir };
  const files = await readArchive(bytes, registryPolicy(label));
  const prefix = registryRoot(files, label);
  removeStaleCacheTemps(cache);
  const tmp = `${dir}.tmp-${process.pid}-${randomHex()}`;
  try {
    for (const [p, data] of files) {
      if (!p.startsWith(prefix)) continue;
      const target = path.join(tmp, ...p.slice(prefix.length).split("/"));
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, data, { flag: "wx", mode: 0o644 });
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new AgentpkgError("E_REGISTRY_INVALID", `registry ${label}: cannot unpack ${p} into the cache (${why})`, { cause: err });
      }
    }
    await fs.rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(path.join(dir, "registry.json")))) throw err; // else: another process extracted it first
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return { sha256: hash, dir };
}

/** registry.json at the top, or under the archive's single top-level folder (as GitHub archives have). */
function registryRoot(files: ReadonlyMap<string, Buffer>, label: string): string {
  if (files.has("registry.json")) return "";
  const tops = new Set([...files.keys()].map((p) => p.split("/")[0]!));
  const top = tops.size === 1 ? [...tops][0]! : undefined;
  if (top !== undefined && files.has(`${top}/registry.json`)) return `${top}/`;
  throw new AgentpkgError("E_REGISTRY_INVALID", `registry ${label}: the archive has no registry.json at its root (or under a single top-level folder)`, {
    hint: "make a registry archive with agentpkg registry pack DIR -o FILE",
  });
}
