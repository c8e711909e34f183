// scripts/source-stamp.mjs decides whether npm's `prepare` builds again (the README's first run costs one build).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isBuilt, sourceStamp, STAMP_FILE } from "../../scripts/source-stamp.mjs";

let root: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
function project(): void {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-stamp-"));
  for (const f of ["src/a.ts", "src/deep/b.ts", "src/a.test.ts", "scripts/build.mjs", "package.json", "package-lock.json", "tsconfig.json", "README.md"]) write(f, `${f}\n`);
}
/** What a build leaves: the three outputs and the stamp of the sources it was made from. */
function build(): void {
  for (const f of ["agentpkg.cjs", "agentpkg.cjs.map", "code-cache-launcher.cjs"]) write(`dist/${f}`, "built\n");
  write(`dist/${STAMP_FILE}`, sourceStamp(root));
}
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("the build stamp", () => {
  it("changes with a source, the build script or the dependencies; not with a test or the README", () => {
    project();
    const first = sourceStamp(root);
    write("src/a.test.ts", "changed\n");
    write("README.md", "changed\n");
    expect(sourceStamp(root)).toBe(first);
    for (const f of ["src/deep/b.ts", "scripts/build.mjs", "package-lock.json"]) {
      const before = sourceStamp(root);
      write(f, `${f} changed\n`);
      expect(sourceStamp(root), f).not.toBe(before);
    }
    const before = sourceStamp(root);
    write("src/new.ts", "new\n");
    expect(sourceStamp(root)).not.toBe(before);
  });

  it("a dist/ is built when every output is there and its stamp matches the sources", () => {
    project();
    expect(isBuilt(root)).toBe(false);
    build();
    expect(isBuilt(root)).toBe(true);
    write("src/a.ts", "edited\n");
    expect(isBuilt(root)).toBe(false);
    build();
    fs.rmSync(path.join(root, "dist/code-cache-launcher.cjs"));
    expect(isBuilt(root)).toBe(false);
  });
});
