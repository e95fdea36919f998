/**
 * Rules for a protected API's upstream URL. The gateway makes requests to it with verified
 * consent headers, so it must be a plain http(s) base URL; outside development it must also not
 * point at the gateway host itself or at link-local metadata services (an owner could otherwise
 * use the gateway to reach internal endpoints of the platform). Private network addresses stay
 * allowed: that is where service owners' APIs usually live. Host names are not resolved here.
 */
import { isIP } from 'node:net';

export type UpstreamUrlCheck = { ok: true; normalised: string } | { ok: false; problem: string };

function isLoopbackOrLinkLocal(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const kind = isIP(h);
  if (kind === 4) {
    const [a, b] = h.split('.').map(Number);
    return a === 127 || a === 0 || (a === 169 && b === 254);
  }
  if (kind === 6) {
    if (h === '::1' || h === '::') return true;
    if (/^fe[89ab][0-9a-f]:/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isLoopbackOrLinkLocal(mapped[1]);
    // The URL parser writes IPv4-mapped addresses in hex (`::ffff:7f00:1`).
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (hex) {
      const hi = parseInt(hex[1], 16);
      const lo = parseInt(hex[2], 16);
      return isLoopbackOrLinkLocal(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
  }
  return false;
}

export function checkUpstreamUrl(raw: string, allowLoopback: boolean): UpstreamUrlCheck {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, problem: 'upstreamUrl must be an absolute http or https URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { ok: false, problem: 'upstreamUrl must use http or https' };
  if (u.username || u.password) return { ok: false, problem: 'upstreamUrl must not contain credentials' };
  if (u.search || u.hash || raw.includes('?') || raw.includes('#'))
    return { ok: false, problem: 'upstreamUrl must not have a query or fragment' };
  if (!u.hostname) return { ok: false, problem: 'upstreamUrl must name a host' };
  // The URL parser would silently resolve these; the owner must say what they mean.
  if (/%2e|%2f|%5c|\\|\/\.\.?(?:\/|$)/i.test(raw.slice(u.protocol.length + 2)))
    return {
      ok: false,
      problem: 'upstreamUrl must not contain dot segments, backslashes or encoded dots and slashes',
    };
  if (!allowLoopback && isLoopbackOrLinkLocal(u.hostname))
    return { ok: false, problem: 'upstreamUrl must not point at a loopback or link-local address' };
  return { ok: true, normalised: u.href };
}
