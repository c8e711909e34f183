import path from "node:path";

/**
 * The one rule for a path *inside* a registry (registry.json's `path`, a lockfile's `path`, an agent file
 * of a marketplace or plain repository): "/"-separated and relative, every segment a real name (no "",
 * "." or ".."), no drive prefix, backslash or control character. Joined to a folder, such a path cannot
 * leave it, except through a symlink, which the readers refuse separately.
 */
export function isSafeRegistryPath(p: string): boolean {
    if (p.includes("\\") || /[\u0000-\u001f\u007f]/.test(p) || /^[A-Za-z]:/.test(p)) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/** Normalise a repo-relative path ("./a/b/", "a//b" -> "a/b", "." -> ""); undefined when it leaves the repo. */
export function repoPath(...parts: string[]): string | undefined {
  if (parts.some((p) => p.includes("\\") || p.includes("\0") || path.posix.isAbsolute(p) || /^[A-Za-z]:/.test(p))) return undefined;
  const norm = path.posix.normalize(path.posix.join(".", ...parts)).replace(/\/+$/, "");
  if (norm === "..") return undefined;
  if (norm.startsWith("../")) return undefined;
  return norm === "." ? "" : norm;
}
