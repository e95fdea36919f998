/**
 * URL rules of the portal: where a decision sends the user back to (the consumer's
 * `redirectUrl`, as Altinn does it) and where a login may return to (never off-site).
 */
import { isValidRedirectUrl, urlScheme } from '../common/http/redirect-url.js';

export const REJECTED_MESSAGE = 'User did not give consent';

/**
 * `redirectUrl` with `Status=OK` or `Status=Failed&ErrorMessage=…` appended, as Altinn does.
 * Single-page apps use hash routing (`https://app/#/consent/done`): their router reads the query
 * of the fragment, so when the fragment starts with `/` the parameters go inside it. Otherwise
 * they go into the query, before any fragment. Works for custom schemes (`bankapp://done`) too,
 * which `URL` cannot always rebuild, hence plain string handling.
 */
export function decisionRedirect(redirectUrl: string, accepted: boolean): string {
  const params = new URLSearchParams(
    accepted ? { Status: 'OK' } : { Status: 'Failed', ErrorMessage: REJECTED_MESSAGE },
  );
  const query = params.toString().replace(/\+/g, '%20');
  const hashAt = redirectUrl.indexOf('#');
  const base = hashAt === -1 ? redirectUrl : redirectUrl.slice(0, hashAt);
  const fragment = hashAt === -1 ? null : redirectUrl.slice(hashAt + 1);
  const join = (s: string) => (s.includes('?') ? (s.endsWith('?') || s.endsWith('&') ? '' : '&') : '?');
  if (fragment !== null && fragment.startsWith('/')) return `${base}#${fragment}${join(fragment)}${query}`;
  return `${base}${join(base)}${query}${fragment !== null ? `#${fragment}` : ''}`;
}

/**
 * The CSP `form-action` source that lets the browser follow the 303 to the consumer after a
 * decision (Chrome applies form-action to redirects): the http(s) origin, or the custom scheme.
 * Null when the URL is not one the consent service accepts (then only 'self' is allowed).
 */
export function formActionSource(redirectUrl: string): string | null {
  if (!isValidRedirectUrl(redirectUrl)) return null;
  const scheme = urlScheme(redirectUrl);
  if (!scheme) return null;
  if (scheme === 'http' || scheme === 'https') {
    const origin = new URL(redirectUrl).origin;
    // origin is scheme://host[:port]: nothing a CSP parser could read as a separator.
    return /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) ? origin : null;
  }
  return `${scheme}:`;
}

const DEFAULT_RETURN = '/consent/active';
const MAX_RETURN_LENGTH = 2048;

/**
 * A `returnTo` we may redirect to after login: a path on this site only. It must start with one
 * `/` (not `//host` or `/\host`, which browsers read as another host), hold no control
 * characters or backslashes, and stay on this origin when resolved. Anything else → the default.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_LENGTH)
    return DEFAULT_RETURN;
  // eslint-disable-next-line no-control-regex
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value))
    return DEFAULT_RETURN;
  try {
    const probe = new URL(value, 'http://portal.invalid');
    if (probe.origin !== 'http://portal.invalid') return DEFAULT_RETURN;
    // Resolving dot segments can make a path that starts with `//` (`/.//evil.example` →
    // `//evil.example`), which a browser reads as another host: check the result, not only the
    // input (red-team finding RT-4).
    const path = probe.pathname + probe.search;
    return path.startsWith('//') ? DEFAULT_RETURN : path;
  } catch {
    return DEFAULT_RETURN;
  }
}

/** `/login?returnTo=…` for the page the visitor asked for. */
export function loginUrl(returnTo: string, lang?: string): string {
  const q = new URLSearchParams({ returnTo: safeReturnTo(returnTo) });
  if (lang) q.set('lang', lang);
  return `/login?${q.toString()}`;
}
