#!/usr/bin/env node
// npm's `prepare` script: build dist/ unless it is already built from these sources (scripts/source-stamp.mjs).
// npm runs `prepare` after `npm ci` / `npm install`, and again when `npx agentpkg` or `npm link` installs this
// folder: without the check the README's first command built the package three times (~9 s each here).
// `npm run build` always builds.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { STAMP_FILE, sourceStamp } from "./source-stamp.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(ROOT, "dist");
const OUTPUTS = ["agentpkg.cjs", "agentpkg.cjs.map", "code-cache-launcher.cjs"];

const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
const built = OUTPUTS.every((f) => fs.existsSync(path.join(DIST, f)));
if (built && read(path.join(DIST, STAMP_FILE)) === sourceStamp(ROOT)) {
  console.log("dist/ is up to date with src/: not building again (npm run build forces a build)");
} else {
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}
