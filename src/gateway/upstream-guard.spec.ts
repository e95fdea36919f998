import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamPools } from './upstream-pools.js';
import { checkUpstreamUrl, isLoopbackOrLinkLocal } from './upstream-url.js';

const REFUSED = 'upstreamUrl must not point at a loopback, link-local or metadata address';

describe('upstream URLs that reach the platform itself (RT-8)', () => {
  it.each([
    'http://[64:ff9b::a9fe:a9fe]/', // NAT64 of the metadata service
    'http://[2002:a9fe:a9fe::]/', // 6to4
    'http://[::ffff:0:a9fe:a9fe]/', // IPv4-translated
    'http://[::a9fe:a9fe]/', // IPv4-compatible
    'http://[2002:7f00:1::]:8080/',
    'http://[fd00:ec2::254]/latest/meta-data/', // AWS IMDS over IPv6
    'http://100.100.100.200/latest/meta-data/', // Alibaba Cloud metadata
    'http://localhost./',
    'http://LOCALHOST.:8080/',
  ])('refuses %s outside development', (url) => {
    expect(checkUpstreamUrl(url, false)).toEqual({ ok: false, problem: REFUSED });
  });

  it('keeps private networks and 6to4 of public hosts allowed', () => {
    for (const url of [
      'http://10.1.2.3:8080/',
      'http://[fd12:3456::1]/',
      'http://[2002:808:808::1]/',
      'http://100.64.1.1/',
    ])
      expect({ url, ok: checkUpstreamUrl(url, false).ok }).toEqual({ url, ok: true });
  });

  it('refuses every IPv6 spelling of loopback and link-local IPv4 addresses (property)', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    const v4 = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
    );
    fc.assert(
      fc.property(v4, ([a, b, c, d]) => {
        const tail = `${hex(a, b)}:${hex(c, d)}`;
        for (const v6 of [
          `::ffff:${tail}`,
          `::ffff:0:${tail}`,
          `::${tail}`,
          `64:ff9b::${tail}`,
          `2002:${tail}::1`,
        ]) {
          expect({ v6, refused: isLoopbackOrLinkLocal(v6) }).toEqual({ v6, refused: true });
          expect({ v6, ok: checkUpstreamUrl(`http://[${v6}]/`, false).ok }).toEqual({ v6, ok: false });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('production upstream connections (RT-8, connect-time: DNS is resolved only then)', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('secret');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('refuses a name that resolves to loopback (localhost) and never reaches it', async () => {
    const pools = new UpstreamPools({ guardAddresses: true });
    try {
      const before = hits;
      await expect(
        pools.get(`http://localhost:${port}`).request({ path: '/', method: 'GET' }),
      ).rejects.toMatchObject({ code: 'EUPSTREAMBLOCKED' });
      expect(hits).toBe(before);
    } finally {
      await pools.closeAll();
    }
  });

  it('connects to the same name without the guard (development)', async () => {
    const pools = new UpstreamPools({ guardAddresses: false });
    try {
      const res = await pools.get(`http://localhost:${port}`).request({ path: '/', method: 'GET' });
      expect(await res.body.text()).toBe('secret');
    } finally {
      await pools.closeAll();
    }
  });
});
