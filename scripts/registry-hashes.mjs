#!/usr/bin/env node
// Recompute the sha256 of every version file listed in a registry.json.
//
// Usage:
//   node scripts/registry-hashes.mjs [DIR]           rewrite DIR/registry.json with correct hashes
//   node scripts/registry-hashes.mjs --check [DIR]   exit 1 and list mismatches, change nothing
//
// DIR defaults to the repository root (the parent of this script's folder).
// Version paths are relative to DIR and must stay inside it.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, lstatSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function usage(code) {
  const out = code === 0 ? console.log : console.error;
  out("usage: node scripts/registry-hashes.mjs [--check] [DIR]");
  process.exit(code);
}

const args = process.argv.slice(2);
let check = false;
const positional = [];
for (const arg of args) {
  if (arg === "--check") check = true;
  else if (arg === "-h" || arg === "--help") usage(0);
  else if (arg.startsWith("-")) {
    console.error(`unknown option: ${arg}`);
    usage(2);
  } else positional.push(arg);
}
if (positional.length > 1) usage(2);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.resolve(positional[0] ?? repoRoot);
const registryPath = path.join(dir, "registry.json");

let registry;
try {
  registry = JSON.parse(readFileSync(registryPath, "utf8"));
} catch (err) {
  console.error(`cannot read ${registryPath}: ${err.message}`);
  process.exit(2);
}
if (!registry || typeof registry.agents !== "object" || registry.agents === null) {
  console.error(`${registryPath}: missing "agents" object`);
  process.exit(2);
}

const problems = [];
let changed = 0;
let total = 0;

for (const [name, agent] of Object.entries(registry.agents)) {
  const versions = agent?.versions ?? {};
  for (const [version, info] of Object.entries(versions)) {
    const where = `${name}@${version}`;
    total += 1;
    if (typeof info?.path !== "string" || info.path === "") {
      problems.push(`${where}: no path`);
      continue;
    }
    const file = path.resolve(dir, info.path);
    const rel = path.relative(dir, file);
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
      problems.push(`${where}: path escapes the registry: ${info.path}`);
      continue;
    }
    let stat;
    try {
      stat = lstatSync(file);
    } catch {
      problems.push(`${where}: file not found: ${info.path}`);
      continue;
    }
    if (!stat.isFile()) {
      problems.push(`${where}: not a regular file: ${info.path}`);
      continue;
    }
    const actual = createHash("sha256").update(readFileSync(file)).digest("hex");
    if (info.sha256 === actual) continue;
    if (check) {
      problems.push(`${where}: sha256 mismatch for ${info.path}\n  registry: ${info.sha256 || "(none)"}\n  file:     ${actual}`);
      continue;
    }
    if ("sha256" in info) {
      info.sha256 = actual;
    } else {
      // keep the documented key order: path, sha256, then the rest
      const { path: p, ...rest } = info;
      versions[version] = { path: p, sha256: actual, ...rest };
    }
    changed += 1;
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`${registryPath}: ${problems.length} problem(s) in ${total} version(s)`);
  process.exit(1);
}

if (check) {
  console.log(`${registryPath}: ${total} version(s), all hashes match`);
} else if (changed > 0) {
  writeFileSync(registryPath, JSON.stringify(registry, null, 2) + "\n");
  console.log(`${registryPath}: updated ${changed} of ${total} hash(es)`);
} else {
  console.log(`${registryPath}: ${total} version(s), nothing to update`);
}
