/**
 * Reading a bearer token from an Authorization header (RFC 6750), for the global guard and the
 * gateway's token check. Its own file so the gateway does not load the guard, and through it the
 * route decorators and Swagger (issue 22: the data plane loads what the proxy uses).
 */

// RFC 7235: the scheme is case-insensitive; RFC 6750 token68 characters only in the credentials.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** 'absent' when no bearer credentials were sent at all, 'malformed' when they were but broken. */
export function extractBearerToken(header: unknown): string | 'absent' | 'malformed' {
  if (header === undefined || header === '') return 'absent';
  if (typeof header !== 'string') return 'malformed';
  if (!/^bearer(?: |$)/i.test(header)) return 'absent'; // another scheme (e.g. Basic): no bearer token
  const m = BEARER.exec(header);
  return m ? m[1] : 'malformed';
}
