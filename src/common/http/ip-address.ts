/**
 * IPv6 spellings of IPv4 addresses, for the checks on where the service may connect (webhook
 * targets, protected APIs' upstreams). An address check that only looks at the IPv4 forms is
 * bypassed by an IPv6 address that a connection really delivers to the same IPv4 host.
 */

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted quad read), or null. */
export function ipv6Groups(v6: string): number[] | null {
  let text = v6.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail].map((g) => parseInt(g, 16));
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/**
 * The IPv4 address embedded in an IPv6 one that a connection may really reach: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`, SIIT), IPv4-compatible (`::a.b.c.d`,
 * deprecated but still routed by some stacks), NAT64 (`64:ff9b::/96`) and 6to4 (`2002:AABB:CCDD::`,
 * where a 6to4 relay delivers to a.b.c.d). Each is to be checked as the IPv4 address it stands
 * for, whatever notation the URL used (WHATWG URL writes `[::127.0.0.1]` as `[::7f00:1]`) —
 * red-team findings RT-5 and RT-8.
 */
export function embeddedIpv4(v6: string): string | null {
  const g = ipv6Groups(v6);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4Of(g[6], g[7]); // mapped
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4Of(g[6], g[7]); // translated
  if (zeros(0, 6)) return v4Of(g[6], g[7]); // compatible (and :: / ::1 → 0.0.0.x)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4Of(g[6], g[7]); // NAT64
  if (g[0] === 0x2002) return v4Of(g[1], g[2]); // 6to4
  return null;
}
