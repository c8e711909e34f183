// Bytes on the wire (issue #21): a cold `registry add` + `install` of one agent over git's smart HTTP vs
// `git clone --depth 1` of the same registry. The registries are served by `git http-backend` behind a TLS
// server on 127.0.0.1 (git-https-server.mjs, which counts the bytes it sends); git trusts its
// self-signed certificate through the user's git config (http.sslCAInfo in GIT_CONFIG_GLOBAL).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runOnce } from "./measure.mjs";

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "git-https-server.mjs");

/** Starts the server once per bench run (stopped when the bench exits). */
function server(b) {
  if (b.https) return b.https;
  const dir = b.dir("https");
  fs.mkdirSync(dir, { recursive: true });
  const [cert, key, portFile, countFile, gitconfig] = ["cert.pem", "key.pem", "port", "count", "gitconfig"].map((f) => path.join(dir, f));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  fs.writeFileSync(gitconfig, `[http]\n\tsslCAInfo = ${cert}\n`);
  const child = spawn(process.execPath, [SERVER, b.tmp, cert, key, portFile, countFile], { stdio: ["pipe", "inherit", "inherit"] });
  child.unref();
  child.stdin.unref();
  process.on("exit", () => child.kill());
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 200 && !fs.existsSync(portFile); i++) Atomics.wait(wait, 0, 0, 50);
  if (!fs.existsSync(portFile)) throw new Error("the bench's https server did not start");
  const port = fs.readFileSync(portFile, "utf8").trim();
  const sent = () => (fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, "utf8")) : 0);
  b.https = { base: `https://127.0.0.1:${port}`, sent, env: { ...b.env, GIT_CONFIG_GLOBAL: gitconfig } };
  return b.https;
}

/** Bytes the server sent while `cmd` ran. */
function bytesOf(s, cmd, cwd, env) {
  const before = s.sent();
  runOnce(cmd, { cwd, env });
  return s.sent() - before;
}

/**
 * One row: `registryDir` is a bare registry under the bench's temp dir, `project` an empty project
 * (no registries), `name` the agent installed.
 */
export function wireRow(b, n, { registryDir, project, name, plain = false }) {
  const s = server(b);
  const url = `${s.base}/${path.relative(b.tmp, registryDir)}`;
  const cache = b.dir(`wire-cache-${n}${plain ? "-plain" : ""}`);
  const clone = b.dir(`wire-clone-${n}${plain ? "-plain" : ""}`);
  fs.rmSync(cache, { recursive: true, force: true });
  fs.rmSync(clone, { recursive: true, force: true });
  const env = { ...s.env, XDG_CACHE_HOME: cache };
  const script = '"$1" "$2" registry add big "$3" >/dev/null && "$1" "$2" install "$4" >/dev/null';
  const bytes = bytesOf(s, ["sh", "-c", script, "sh", process.execPath, b.bin, url, name], project, env);
  if (!fs.existsSync(path.join(project, ".claude", "agents", `${name}.md`))) throw new Error(`install over https did not write ${name}.md`);
  const baselineBytes = bytesOf(s, ["git", "clone", "-q", "--depth", "1", url, clone], b.tmp, s.env);
  const row = { name: `bytes on the wire, cold add + install (registry of ${n}${plain ? ", registry.json only" : ""})`, bytes, baselineBytes, baselineName: "git clone --depth 1", ratio: bytes / baselineBytes, target: 0.25 };
  b.log(`  ${row.name}: ${mb(bytes)} vs ${mb(baselineBytes)} (${ratio(row.ratio)})`);
  return row;
}

/** two decimals, or one significant digit below 0.01 (a few KB against megabytes would read 0.00x) */
const ratio = (r) => (r < 0.01 ? `${r.toPrecision(1)}x` : `${r.toFixed(2)}x`);
const mb = (n) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} KB` : `${(n / 1e6).toFixed(2)} MB`);

export function wireTable(rows) {
  const lines = rows.map((r) => `${r.name}  ${mb(r.bytes)} vs ${mb(r.baselineBytes)} (${r.baselineName})  ${ratio(r.ratio)}  target ≤${r.target}x  ${r.ratio <= r.target ? "ok" : "MISS"}`);
  return ["bytes on the wire (git smart HTTP over TLS, 127.0.0.1)", ...lines].join("\n");
}
