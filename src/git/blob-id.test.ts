import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { gitBlobId, objectFormat } from "./blob-id.js";

const env = { PATH: process.env.PATH ?? "", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-blob-id-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const samples = ["", "hello\n", "---\nname: x\n---\r\nbody without newline", Buffer.from([0, 255, 10, 13, 0])];

describe("gitBlobId", () => {
  it.each(["sha1", "sha256"] as const)("is what git hash-object says in a %s repository", async (format) => {
    const dir = path.join(root, format);
    execFileSync("git", ["init", "-q", `--object-format=${format}`, dir], { env });
    expect(await objectFormat(dir, env)).toBe(format);
    for (const [i, data] of samples.entries()) {
      const file = path.join(dir, `f${i}`);
      fs.writeFileSync(file, data);
      const id = execFileSync("git", ["hash-object", "--no-filters", file], { cwd: dir, env }).toString().trim();
      expect(gitBlobId(typeof data === "string" ? data : Buffer.from(data), format)).toBe(id);
    }
  });
});
