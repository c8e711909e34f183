import { describe, expect, it } from "vitest";
import { mirrorDir } from "./git-mirrors.js";

describe("mirrorDir", () => {
  it("names a mirror by the url's last segment and a hash of the url", () => {
    expect(mirrorDir("/c", "https://github.com/acme/agents.git")).toMatch(/^\/c\/git\/agents-[0-9a-f]{16}$/);
    expect(mirrorDir("/c", "git@github.com:acme/agents.git", true)).toMatch(/^\/c\/git\/agents-[0-9a-f]{16}-history$/);
  });

  it("never puts a secret in a folder name, not even hashed", () => {
    for (const url of ["https://deploy:s3cret@host", "https://deploy:s3cret@host/reg.git"]) {
      const dir = mirrorDir("/c", url);
      expect(dir).not.toMatch(/s3cret|deploy/);
      expect(dir).toBe(mirrorDir("/c", url.replace("deploy:s3cret", "***")));
    }
  });
});
