#!/usr/bin/env node
// npm's `prepare` script: build dist/ unless it is already built from these sources (scripts/source-stamp.mjs).
// npm runs `prepare` after `npm ci` / `npm install`, and again when `npx agentpkg` or `npm link` installs this
// folder: without the check the README's first command built the package three times (~9 s each here).
// `npm run build` always builds.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isBuilt } from "./source-stamp.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (isBuilt(ROOT)) {
  console.log("dist/ is up to date with src/: not building again (npm run build forces a build)");
} else {
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}
