// The start of every agentpkg run (bin/agentpkg.js requires it; built to code-cache-launcher.cjs beside the
// bundle): answers `--version` without reading the bundle, and otherwise runs the bundled CLI (agentpkg.cjs)
// through a V8 code cache, or with source maps under --verbose. Compiling the bundle is a large share of a
// run's start-up, and Node 20 has no module.enableCompileCache (docs/architecture.md, "Start-up"). Like
// Node's own compile cache, the code cache lives in a per-user folder of the temp dir: it is not agentpkg
// data, and a failed command leaves ~/.cache as it was. scripts/build.mjs fills in BUNDLE_HASH.
import { isAscii } from "node:buffer";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { isVerbose } from "./cli/verbose.js";
import { isVersionQuery, VERSION } from "./version.js";

/** sha256 of agentpkg.cjs, set at build time: a cache made for another bundle is never used. */
declare const BUNDLE_HASH: string;
/** Enough for every command of a couple of agentpkg or Node versions. */
const KEEP_CACHE_FILES = 64;

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

function codeCacheDir(): string | undefined {
  const setting = process.env.AGENTPKG_CODE_CACHE;
  if (setting === "0") return undefined;
  return setting || path.join(os.tmpdir(), `agentpkg-code-cache-${process.getuid?.() ?? "user"}`);
}

/**
 * Cached code runs as this process, so only a folder that no one else can write to is used: ours, not a
 * symlink, not group- or world-writable (the temp dir is shared).
 */
function isPrivateDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const ours = process.getuid === undefined || st.uid === process.getuid();
    return st.isDirectory() && ours && (process.platform === "win32" || (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

function codeCacheFile(bundle: string): string | undefined {
  const dir = codeCacheDir();
  if (dir === undefined) return undefined;
  try {
    // the size and mtime guard against a bundle edited in place: V8 itself checks only the source length
    const { size, mtimeMs } = fs.statSync(bundle);
    // one cache per command: each holds the functions its own first run compiled, and no others
    const command = /^[a-z]{1,20}$/.test(process.argv[2] ?? "") ? process.argv[2] : "other";
    const key = [BUNDLE_HASH.slice(0, 16), size, Math.trunc(mtimeMs), process.version, process.arch, command].join("-");
    return path.join(dir, `${key}.bin`);
  } catch {
    return undefined;
  }
}

function readCache(file: string | undefined): Buffer | undefined {
  try {
    return file !== undefined && isPrivateDir(path.dirname(file)) ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically and keeps only the newest (other commands, agentpkg and Node versions). */
function saveCache(script: vm.Script, file: string): void {
  const dir = path.dirname(file);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivateDir(dir)) return;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, file);
    const old = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith(".bin"))
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)
      .slice(KEEP_CACHE_FILES);
    for (const { name } of old) fs.rmSync(path.join(dir, name), { force: true });
  } catch {
    // a cache is only an optimisation: a read-only or full disk must not fail the command
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
  }
}

function runBundle(bundle: string): void {
  const cacheFile = codeCacheFile(bundle);
  const cachedData = readCache(cacheFile);
  // the CommonJS wrapper on the first line keeps line numbers in stack traces right
  const bytes = fs.readFileSync(bundle);
  // ASCII (as esbuild writes it) read as latin1 is the same text, copied into a one-byte string instead of
  // decoded as UTF-8 (~1 ms instead of 3-5); isAscii is one vectorised pass
  const text = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const source = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const script = new vm.Script(source, { filename: bundle, cachedData });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // at exit, so the cache also holds the functions this run compiled lazily
    process.once("exit", () => saveCache(script, cacheFile));
  }
  const cli = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper)(cli.exports, createRequire(bundle), cli, bundle, __dirname);
}

/**
 * Stack traces that name src/*.ts lines (agentpkg.cjs.map): Node maps only the code its module loader compiled,
 * not a vm.Script, so this run goes without the code cache. Only --verbose and DEBUG=agentpkg pay for the map.
 */
function runBundleWithSourceMaps(bundle: string): void {
  process.setSourceMapsEnabled(true);
  require(bundle);
}

// `--version` is answered without reading the bundle at all (start-up within 1.5x of bare node)
// (written straight to fd 1: creating process.stdout for a pipe costs more than the rest of this)
const bundle = path.join(__dirname, "agentpkg.cjs");
if (isVersionQuery(process.argv)) fs.writeSync(1, `${VERSION}\n`);
else if (isVerbose(process.argv, process.env)) runBundleWithSourceMaps(bundle);
else runBundle(bundle);
