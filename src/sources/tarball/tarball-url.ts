/** A registry url naming a tarball (`.tgz` / `.tar.gz`, ignoring any ?query) rather than a git repository. */
export function isTarballUrl(url: string): boolean {
  let p = url;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
    try {
      p = new URL(url).pathname;
    } catch {
      return false;
    }
  }
  return /\.(tgz|tar\.gz)$/i.test(p);
}
