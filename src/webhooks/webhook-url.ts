/**
 * Where webhooks may be sent (SSRF protection).
 *
 * The gateway makes the request, from inside the platform's network, to a URL chosen by any
 * consumer. Without limits a consumer could aim it at the platform's own services (the database
 * admin port, a cloud metadata endpoint at 169.254.169.254, an internal admin API) and learn from
 * the delivery log whether they answer. So in production a target must be `https` and must not be
 * — or resolve to — a loopback, private, link-local, shared, multicast or reserved address. The
 * name is checked when the subscription is created *and* every address is checked again when
 * connecting (DNS can change after the check: "DNS rebinding"), see `guardedLookup`.
 *
 * Outside production (development and tests) `http` and loopback receivers are allowed, so a
 * receiver on the developer's machine works.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { embeddedIpv4 } from '../common/http/ip-address.js';

export const MAX_URL_LENGTH = 2000;

/** Address ranges a production webhook may never reach (IANA special-purpose registries). */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** True for an address a production webhook must not reach. `address` is a bare IP (no brackets). */
export function isBlockedAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) return BLOCKED.check(address, 'ipv4');
  if (kind === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return isBlockedAddress(v4);
    return BLOCKED.check(address, 'ipv6');
  }
  return true; // not an IP at all: never "safe"
}

function isLocalName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal');
}

export interface UrlPolicy {
  /** True outside production: http and loopback/private targets are allowed. */
  allowPrivate: boolean;
}

/** A problem with a webhook URL, in words a consumer can act on; null when it is acceptable. */
export function webhookUrlProblem(raw: unknown, policy: UrlPolicy): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return 'url is required';
  if (raw.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'url must be an absolute URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'url must use https';
  if (u.protocol === 'http:' && !policy.allowPrivate) return 'url must use https';
  if (u.username || u.password) return 'url must not contain credentials';
  if (u.hash || raw.includes('#')) return 'url must not have a fragment';
  if (policy.allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) ? isBlockedAddress(host) : isLocalName(host))
    return 'url must not point at a loopback, private, link-local or reserved address';
  if (!isIP(host) && !host.includes('.'))
    return 'url must name a public host (a fully qualified domain name)';
  return null;
}

/** Thrown by `guardedLookup`; the delivery log shows its message. */
export class BlockedAddressError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
  constructor(hostname: string, address: string) {
    super(`refused: ${hostname} resolves to ${address}, a loopback, private or reserved address`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `net.connect` lookup that resolves every address of the host and refuses the connection
 * when any of them is blocked. Checking *all* addresses (not just the first) means a name with
 * one public and one private address cannot be used to reach the private one on a retry.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses;
    const bad = list.find((a) => isBlockedAddress(a.address));
    if (bad || !list.length)
      return callback(new BlockedAddressError(hostname, bad?.address ?? 'nothing'), []);
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}
