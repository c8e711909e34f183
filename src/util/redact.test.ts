import { describe, expect, it } from "vitest";
import { hasCredentials, redactCredentials } from "./redact.js";

describe("redactCredentials", () => {
  it.each([
    ["https://deploy:TOKEN@host/reg.git", "https://***@host/reg.git"],
    ["https://x-access-token:ghs_abc@github.com/acme/agents.git", "https://***@github.com/acme/agents.git"],
    ["https://user:p@ss@host/reg.git", "https://***@host/reg.git"],
    ["https://user:@host/reg.git", "https://***@host/reg.git"],
    ["https://ghp_0123456789abcdef@github.com/a/b.git", "https://***@github.com/a/b.git"],
    ["https://glpat-xyz@gitlab.com/a/b.git", "https://***@gitlab.com/a/b.git"],
    [`https://${"a1".repeat(20)}@host/r.git`, "https://***@host/r.git"],
    ["ssh://git:secret@host:22/r.git", "ssh://***@host:22/r.git"],
    ["file://u:p@/srv/reg", "file://***@/srv/reg"],
    ["deploy:TOKEN@host:acme/agents.git", "***@host:acme/agents.git"],
    ["error registry https://u:p@h/r.git unreachable (also 'https://a:b@c/d')", "error registry https://***@h/r.git unreachable (also 'https://***@c/d')"],
    ["fatal: unable to access 'https://oauth2:glpat-1@gitlab.com/x.git/': 403", "fatal: unable to access 'https://***@gitlab.com/x.git/': 403"],
  ])("%s -> %s", (text, want) => {
    expect(redactCredentials(text)).toBe(want);
    expect(redactCredentials(want)).toBe(want);
  });

  it.each([
    "https://github.com/acme/agents.git",
    "https://alice@bitbucket.org/team/agents.git",
    "https://org@dev.azure.com/org/p/_git/agents",
    "ssh://git@github.com/acme/agents.git",
    "git@github.com:acme/agents.git",
    "/srv/registries/team@2024",
    "https://host/path/with@sign",
    "mail me at a@b.c, or see agents/x@1.0.0",
    "team/reviewer@^1.2 from git@github.com:acme/agents.git",
  ])("leaves %s as it is", (text) => {
    expect(redactCredentials(text)).toBe(text);
    expect(hasCredentials(text)).toBe(false);
  });
});
