/**
 * Rules for a protected API's upstream URL. The gateway makes requests to it with verified
 * consent headers, so it must be a plain http(s) base URL; outside development it must also not
 * point at the gateway host itself or at link-local metadata services (an owner could otherwise
 * use the gateway to reach internal endpoints of the platform). Private network addresses stay
 * allowed: that is where service owners' APIs usually live. Host names are not resolved here.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { embeddedIpv4, ipv6Groups } from '../common/http/ip-address.js';

export type UpstreamUrlCheck = { ok: true; normalised: string } | { ok: false; problem: string };

/** Cloud metadata services outside 169.254.0.0/16: Alibaba Cloud's, and AWS's IPv6 IMDS. */
const METADATA_V4 = new Set(['100.100.100.200']);
const METADATA_V6 = ['fd00:ec2::254'].map((a) => ipv6Groups(a)!.join(':'));

/**
 * True for a host (name or address) a production upstream may not be: loopback, unspecified,
 * link-local or a cloud metadata service, in any IPv6 spelling of those IPv4 addresses
 * (mapped, translated, compatible, NAT64, 6to4: red-team finding RT-8).
 */
export function isLoopbackOrLinkLocal(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const kind = isIP(h);
  if (kind === 4) {
    const [a, b] = h.split('.').map(Number);
    return a === 127 || a === 0 || (a === 169 && b === 254) || METADATA_V4.has(h);
  }
  if (kind === 6) {
    const v4 = embeddedIpv4(h);
    if (v4) return isLoopbackOrLinkLocal(v4);
    if (/^fe[89ab][0-9a-f]:/.test(h)) return true;
    return METADATA_V6.includes(ipv6Groups(h)?.join(':') ?? '');
  }
  return false;
}

/** Thrown by `upstreamLookup`: the upstream's name resolves where it may not go. */
export class BlockedUpstreamError extends Error {
  readonly code = 'EUPSTREAMBLOCKED';
  constructor(hostname: string, address: string) {
    super(`refused: upstream ${hostname} resolves to ${address}, a loopback, link-local or metadata address`);
    this.name = 'BlockedUpstreamError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The `net.connect` lookup of production upstream connections. Registration checks only the
 * URL (names are not resolved then, and DNS can change later): a name such as
 * `metadata.google.internal`, or any name an owner points at 127.0.0.1, would otherwise take the
 * gateway to the platform's own host or metadata service (RT-8). Every address of the name is
 * checked on each new connection; one bad address refuses the connection (502 GW-00012).
 */
export function upstreamLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isLoopbackOrLinkLocal(a.address));
    if (bad || !addresses.length)
      return callback(new BlockedUpstreamError(hostname, bad?.address ?? 'nothing'), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
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
    return { ok: false, problem: 'upstreamUrl must not point at a loopback, link-local or metadata address' };
  return { ok: true, normalised: u.href };
}
