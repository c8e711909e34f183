// Global setup of the e2e project: bundle dist/ once per vitest run, so the CLI the tests spawn is never a
// stale build (`npx vitest` needs no `npm run build` first). Only esbuild runs here; `npm run lint` type-checks.
// With AGENTPKG_TEST_BIN set the tests run that build instead (see helpers.ts), and nothing is built.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function setup(): void {
  if (process.env.AGENTPKG_TEST_BIN) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts", "build.mjs")], { cwd: REPO_ROOT, stdio: "inherit" });
}
