import { describe, expect, it } from "vitest";
import { classifyGitUrl } from "./run.js";

describe("classifyGitUrl", () => {
  it.each([
    ["https://github.com/a/b.git", "https"],
    ["ssh://git@github.com/a/b.git", "ssh"],
    ["git@github.com:a/b.git", "scp"],
    ["file:///tmp/reg", "file"],
    ["/tmp/reg", "path"],
    ["./reg", "path"],
    ["../reg", "path"],
  ])("%s is %s", (url, kind) => expect(classifyGitUrl(url)).toBe(kind));

  it.each(["ext::sh -c touch% /tmp/pwned", "fd::3", "--upload-pack=touch /tmp/x", "-oProxyCommand=x", "http://example.com/r.git", "ftp://x/y", "", "https://x/\ny", "foo:bar"])(
    "refuses %j",
    (url) => expect(() => classifyGitUrl(url)).toThrow(/invalid registry url/),
  );
});
