/**
 * The one rule for a path *inside* a registry (registry.json's `path`, a lockfile's `path`, an agent file
 * of a marketplace or plain repository): "/"-separated and relative, every segment a real name (no "",
 * "." or ".."), no drive prefix, backslash or control character. Joined to a folder, such a path cannot
 * leave it, except through a symlink, which the readers refuse separately.
 */
export function isSafeRegistryPath(p: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (p.includes("\\") || /[\u0000-\u001f\u007f]/.test(p) || /^[A-Za-z]:/.test(p)) return false;
  return p.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}
