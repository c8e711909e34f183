/**
 * Credentials in a URL: `user:password@` (or `user:@`), or a user name that is a token (a known token
 * prefix, or 32+ characters: `https://ghp_…@github.com/`, `https://<40 hex>@host/`). A plain user name
 * (`ssh://git@host`, `https://alice@bitbucket.org`) is not a secret and stays.
 */
function isSecret(userinfo: string): boolean {
  return userinfo.includes(":") || /^(gh[pousr]_|github_pat_|glpat-|xox[abp]-)/.test(userinfo) || userinfo.length >= 32;
}

// scheme://userinfo@ (userinfo up to the last "@" before the path: a raw "@" in a password is common)
const SCHEME_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#]*)@/g;
// git's scp form user:password@host:path, at the start of a word
const SCP_USERINFO = /(^|[\s'"(=,])([^\s'"(/@:]+:[^\s'"(/@]*|[^\s'"(/@:]{32,})@(?=[A-Za-z0-9._-]+:)/g;

/**
 * The one redaction rule: every credential in `text` (a URL, or a message quoting URLs) becomes `***`.
 * Every message that prints a registry URL goes through it; `hasCredentials` is the same rule.
 */
export function redactCredentials(text: string): string {
  if (!text.includes("@")) return text;
  return text
    .replace(SCHEME_USERINFO, (all, scheme: string, userinfo: string) => (isSecret(userinfo) ? `${scheme}***@` : all))
    .replace(SCP_USERINFO, (_all, before: string) => `${before}***@`);
}

/** Whether a URL carries a password or token (and so must never be stored or printed). */
export function hasCredentials(url: string): boolean {
  return redactCredentials(url) !== url;
}
