/**
 * Where a consent decision may send the user's browser (the consumer's `redirectUrl`): checked
 * when the consent request is created and again when the portal builds the redirect and its
 * CSP, so both sides apply exactly the same rule.
 */

/** Longer redirect URLs are refused (browsers and proxies cut long URLs unpredictably). */
export const MAX_REDIRECT_URL_LENGTH = 2048;

/** Schemes a browser must never be sent to, whatever the consumer asks for. */
const DANGEROUS_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem']);

/** The URL's scheme, lowercase (`https`, `bankapp`), or undefined when it has none. */
export function urlScheme(s: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
}

/**
 * Altinn's rule: an absolute URL, http(s) with a host, or a custom scheme for app deep links
 * (`bankapp://consent`). Script-capable and local schemes are refused outright.
 */
export function isValidRedirectUrl(s: string): boolean {
  if (s.length > MAX_REDIRECT_URL_LENGTH || /[\s\p{Cc}]/u.test(s)) return false;
  const scheme = urlScheme(s);
  if (!scheme || DANGEROUS_SCHEMES.has(scheme)) return false;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  if (scheme === 'http' || scheme === 'https') return url.hostname.length > 0;
  return /^[a-z][a-z0-9+.-]*$/.test(scheme) && s.length > scheme.length + 1;
}
