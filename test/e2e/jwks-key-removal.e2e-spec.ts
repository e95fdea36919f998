/**
 * An issuer's emergency brake (DESIGN §3, §11 "JWKS"): a key removed from an external issuer's
 * JWKS is refused by the gateway from the next successful refresh on — at most TTL + fetch time
 * after the last fetch that still had it — for tokens the gateway has cached and for new ones.
 * A real JWKS server on loopback, a 1 s TTL, real RS256 tokens, real HTTP through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  gatewayWorld,
  personUrnOf,
  proxy,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';
import { personNumber } from '../factories/orgs.js';

const ISSUER = 'https://maskinporten.example/';
const TTL_MS = 1_000;
const FETCH_TIMEOUT_MS = 500;

function rsa(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}
const kept = rsa('kept-1');
const dropped = rsa('dropped-1');

/** The JWKS endpoint: serves `keys`, remembers when each fetch was answered and what it held. */
const jwks = {
  keys: [kept.jwk, dropped.jwk] as object[],
  fetches: [] as Array<{ at: number; kids: string[] }>,
};
let jwksServer: Server;
let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;

async function token(key: typeof kept, jti = randomUUID()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const signed = await new SignJWT({
    consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${world.consumer}` },
    scope: world.scope,
    client_id: 'ext-client',
    authorization_details: [
      {
        type: 'urn:altinn:consent',
        id: randomUUID(),
        from: personUrnOf(personNumber()),
        to: { authority: 'iso6523-actorid-upis', ID: `0192:${world.consumer}` },
        consented: new Date(Date.now() - 60_000).toISOString(),
        validTo: new Date(Date.now() + 3_600_000).toISOString(),
        consentRights: [
          {
            action: ['consent'],
            resource: [{ type: 'urn:altinn:resource', value: world.resource }],
            metadata: {},
          },
        ],
      },
    ],
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setJti(jti)
    .sign(key.privateKey);
  return `Bearer ${signed}`;
}

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    const body = JSON.stringify({ keys: jwks.keys });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body, () =>
      jwks.fetches.push({ at: Date.now(), kids: jwks.keys.map((k) => (k as { kid: string }).kid) }),
    );
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwk`;
  t = await createTestApp({
    env: {
      TRUSTED_ISSUERS: `${ISSUER}|${jwksUrl}`,
      JWKS_TTL_SECONDS: String(TTL_MS / 1000),
      JWKS_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
    },
  });
  upstream = await startUpstream();
  world = await gatewayWorld(t);
  api = await registerApi(t, world, { upstreamUrl: `${upstream.url}/base`, consentSource: 'token' });
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
  await new Promise<void>((r) => jwksServer?.close(() => r()));
});

describe('a key removed from an external issuer’s JWKS', () => {
  it('is refused within TTL + fetch time for a cached token and for a new one', async () => {
    const cached = await token(dropped);
    for (let i = 0; i < 3; i++)
      expect((await proxy(t, `/proxy/${api}/x`, { auth: cached })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await token(kept) })).status).toBe(200);

    jwks.keys = [kept.jwk];
    const lastWithKey = Math.max(
      ...jwks.fetches.filter((f) => f.kids.includes(dropped.kid)).map((f) => f.at),
    );

    // Traffic keeps coming; find when the gateway first refuses both tokens.
    let refusedAt = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [a, b] = await Promise.all([
        proxy(t, `/proxy/${api}/x`, { auth: cached }),
        proxy(t, `/proxy/${api}/x`, { auth: await token(dropped) }),
      ]);
      if (a.status === 401 && b.status === 401) {
        expect(a.body.code).toBe('GW-00003');
        expect(b.body.code).toBe('GW-00003');
        refusedAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(refusedAt).toBeGreaterThan(0);
    // The bound of DESIGN §11, with room for a loaded CI machine (the request loop itself).
    expect(refusedAt - lastWithKey).toBeLessThanOrEqual(TTL_MS + FETCH_TIMEOUT_MS + 1_000);
    expect(jwks.fetches.some((f) => f.at > lastWithKey && !f.kids.includes(dropped.kid))).toBe(true);

    // It stays refused; the other key keeps working.
    expect((await proxy(t, `/proxy/${api}/x`, { auth: cached })).status).toBe(401);
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await token(kept) })).status).toBe(200);
  });

  it('is refused on the first call after a quiet period, without being served once more', async () => {
    const again = rsa('quiet-1');
    jwks.keys = [kept.jwk, again.jwk];
    // Quiet for longer than TTL + fetch time: the next call refreshes before it verifies.
    await new Promise((r) => setTimeout(r, TTL_MS + FETCH_TIMEOUT_MS + 200));
    const cached = await token(again);
    for (let i = 0; i < 2; i++)
      expect((await proxy(t, `/proxy/${api}/x`, { auth: cached })).status).toBe(200);
    jwks.keys = [kept.jwk];
    await new Promise((r) => setTimeout(r, TTL_MS + FETCH_TIMEOUT_MS + 200)); // nobody calls
    const res = await proxy(t, `/proxy/${api}/x`, { auth: cached });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('GW-00003');
  });
});
