// What dist/ is built from, as one hash: the sources of the bundle (src/**/*.ts but tests), the build script,
// and the dependency and compiler settings. scripts/build.mjs records it in dist/.build-stamp; scripts/prepare.mjs
// skips the build when it matches (npm runs `prepare` after npm ci, again for npx in this folder, and for
// npm link: one build is enough).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const STAMP_FILE = ".build-stamp";
/** What scripts/build.mjs writes into dist/ (besides the stamp). */
const OUTPUTS = ["agentpkg.cjs", "agentpkg.cjs.map", "code-cache-launcher.cjs"];

/** The files dist/ depends on, relative to root, sorted. */
function inputs(root) {
  const src = fs
    .readdirSync(path.join(root, "src"), { recursive: true })
    .map((f) => `src/${f.split(path.sep).join("/")}`)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  return [...src, "scripts/build.mjs", "package.json", "package-lock.json", "tsconfig.json"].sort();
}

/** sha256 over each input's name and bytes (a missing file counts as missing). */
export function sourceStamp(root) {
  const hash = createHash("sha256");
  for (const rel of inputs(root)) {
    const file = path.join(root, rel);
    hash.update(`${rel}\0`);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : "(missing)");
    hash.update("\0");
  }
  return `${hash.digest("hex")}\n`;
}

/** Is root/dist built from root's current sources (every output there, and the stamp the build wrote matches)? */
export function isBuilt(root) {
  const dist = path.join(root, "dist");
  if (!OUTPUTS.every((f) => fs.existsSync(path.join(dist, f)))) return false;
  const stampFile = path.join(dist, STAMP_FILE);
  return fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === sourceStamp(root);
}
