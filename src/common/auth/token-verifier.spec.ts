/**
 * TokenVerifier against real keys and a real JWKS server on 127.0.0.1 (DESIGN §3, §10).
 * Tokens are signed with node:crypto directly so malformed and hostile tokens (duplicate keys,
 * HS256 confusion, weak keys) can be built byte for byte.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  createHmac,
  generateKeyPairSync,
  sign as cryptoSign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config.js';
import { MetricsRegistry } from '../metrics/metrics-registry.js';
import { InvalidTokenError, KeysUnavailableError } from './auth-errors.js';
import { AuthMetrics } from './auth-metrics.js';
import type { IssuerKeySource } from './issuer-key-source.js';
import { TokenVerifier } from './token-verifier.js';
import { TrustedIssuerRegistry } from './trusted-issuer-registry.js';

Logger.overrideLogger(false);

// ---------------------------------------------------------------- keys and tokens
type Alg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'HS256' | 'none';

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JsonWebKey & { kid: string };
}

function rsaKey(kid: string, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
}

function ecKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

function signWith(alg: Alg, input: string, key?: KeyObject, secret?: Buffer): string {
  const data = Buffer.from(input);
  switch (alg) {
    case 'RS256':
      return b64(cryptoSign('sha256', data, key!));
    case 'RS384':
      return b64(cryptoSign('sha384', data, key!));
    case 'RS512':
      return b64(cryptoSign('sha512', data, key!));
    case 'ES256':
      return b64(cryptoSign('sha256', data, { key: key!, dsaEncoding: 'ieee-p1363' }));
    case 'HS256':
      return b64(createHmac('sha256', secret!).update(data).digest());
    case 'none':
      return '';
  }
}

const EXT_ISSUER = 'https://ext.test/';
const PUBLIC_URL = 'http://gw.test';
const BUILT_IN_ISSUER = `${PUBLIC_URL}/`;
const CONSUMER = { authority: 'iso6523-actorid-upis', ID: '0192:991825827' };
const SUPPLIER = { authority: 'iso6523-actorid-upis', ID: '0192:974760673' };

let now = 0; // ms; set per test
const nowS = (): number => Math.floor(now / 1000);

interface MintOptions {
  key?: TestKey;
  alg?: Alg;
  /** Extra/overriding header members; `undefined` values delete. */
  header?: Record<string, unknown>;
  /** Extra/overriding claims; `undefined` values delete. */
  claims?: Record<string, unknown>;
  /** Raw JSON texts, for duplicate-key and grammar cases. */
  rawHeader?: string;
  rawPayload?: string;
  hmacSecret?: Buffer;
}

function mint(o: MintOptions = {}): string {
  const key = o.key ?? extKey;
  const alg = o.alg ?? 'RS256';
  const header: Record<string, unknown> = { alg, kid: key.kid, typ: 'at+jwt', ...o.header };
  const claims: Record<string, unknown> = {
    iss: EXT_ISSUER,
    iat: nowS(),
    exp: nowS() + 120,
    consumer: CONSUMER,
    scope: 'skd:inntekt altinn:consentrequests.read',
    client_id: 'client-1',
    jti: 'jti-1',
    ...o.claims,
  };
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const input = `${b64(o.rawHeader ?? JSON.stringify(header))}.${b64(o.rawPayload ?? JSON.stringify(claims))}`;
  return `${input}.${signWith(alg, input, key.privateKey, o.hmacSecret)}`;
}

// ---------------------------------------------------------------- JWKS server
interface JwksServer {
  url: string;
  requests: number;
  /** What the next requests get; default: 200 with `doc`. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  serve(doc: unknown): void;
  close(): Promise<void>;
}

async function startJwksServer(doc: unknown): Promise<JwksServer> {
  const state = {} as JwksServer;
  const server: Server = createServer((req, res) => {
    state.requests++;
    state.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  Object.assign(state, {
    url: `http://127.0.0.1:${port}/jwk`,
    requests: 0,
    serve(d: unknown) {
      state.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(typeof d === 'string' ? d : JSON.stringify(d));
      };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
  state.serve(doc);
  return state;
}

// ---------------------------------------------------------------- fixture
// Generated once at load time: it.each tables below refer to them while tests are collected.
const extKey = rsaKey('ext-1');
const extKey2 = rsaKey('ext-2');
const ecExtKey = ecKey('ext-ec');
const builtInKey = ecKey('builtin-1');
const weakKey = rsaKey('weak-1', 1024);

interface Fixture {
  verifier: TokenVerifier;
  registry: TrustedIssuerRegistry;
  jwks: JwksServer;
  keySource: IssuerKeySource & { calls: number; keys: JsonWebKey[] };
  metrics: MetricsRegistry;
  authMetrics: AuthMetrics;
}

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function testConfig(jwksUrl: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    publicUrl: PUBLIC_URL,
    trustedIssuers: [{ issuer: EXT_ISSUER, jwksUrl }],
    jwksTtlSeconds: 300,
    jwksMaxStaleSeconds: 86400,
    // Generous: the built-in key source shares this bound, and a loaded CI machine once took over
    // 1 s to import keys here. Tests about the timeout itself set their own.
    jwksFetchTimeoutMs: 5000,
    jwksMaxBytes: 64 * 1024,
    jwksMinRefreshIntervalSeconds: 30,
    maxTokenLifetimeSeconds: 3600,
    clockSkewSeconds: 30,
    maxTokenBytes: 8 * 1024,
    ...overrides,
  } as AppConfig;
}

async function setup(
  jwksDoc: unknown = { keys: [extKey.jwk, ecExtKey.jwk] },
  overrides: Partial<AppConfig> = {},
): Promise<Fixture> {
  now = Date.UTC(2030, 0, 1, 12, 0, 0);
  const jwks = await startJwksServer(jwksDoc);
  servers.push(jwks);
  const keySource = {
    calls: 0,
    keys: [builtInKey.jwk] as JsonWebKey[],
    async getPublicJwks() {
      keySource.calls++;
      return { keys: keySource.keys as never[] };
    },
  };
  const clock = () => now;
  const config = testConfig(jwks.url, overrides);
  const metrics = new MetricsRegistry({ processMetrics: false });
  const authMetrics = new AuthMetrics(metrics);
  const registry = new TrustedIssuerRegistry(config, keySource, clock, authMetrics);
  const verifier = new TokenVerifier(config, registry, clock, authMetrics);
  return { verifier, registry, jwks, keySource, metrics, authMetrics };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function expect401(
  verifier: TokenVerifier,
  token: unknown,
  reason?: string,
): Promise<InvalidTokenError> {
  const e = await rejection(verifier.verify(token as string));
  expect(e).toBeInstanceOf(InvalidTokenError);
  const err = e as InvalidTokenError;
  expect(err.status).toBe(401);
  expect(err.code).toBe('GW-00003');
  expect(err.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
  if (typeof token === 'string' && token.length > 0) expect(JSON.stringify(err)).not.toContain(token);
  // Outside production the detail goes on to name the failed check (token-refusal-explanation.ts).
  expect(err.detail).toMatch(/^The access token is invalid(\.|: .+\.)$/);
  if (reason) expect(err.reason).toBe(reason);
  return err;
}

async function expect503(verifier: TokenVerifier, token: string): Promise<void> {
  const e = await rejection(verifier.verify(token));
  expect(e).toBeInstanceOf(KeysUnavailableError);
  expect((e as KeysUnavailableError).status).toBe(503);
  expect((e as KeysUnavailableError).code).toBe('GW-00014');
  expect((e as KeysUnavailableError).headers?.['Retry-After']).toMatch(/^\d+$/);
}

// ---------------------------------------------------------------- tests
describe('TokenVerifier: valid tokens', () => {
  it('accepts an RS256 token from an external issuer and builds the principal', async () => {
    const { verifier } = await setup();
    const details = [{ type: 'urn:altinn:consent', id: 'abc' }];
    const p = await verifier.verify(mint({ claims: { supplier: SUPPLIER, authorization_details: details } }));
    expect(p).toMatchObject({
      consumer: '991825827',
      supplier: '974760673',
      clientId: 'client-1',
      scope: 'skd:inntekt altinn:consentrequests.read',
      issuer: EXT_ISSUER,
      builtIn: false,
      jti: 'jti-1',
      exp: nowS() + 120,
      authorizationDetails: details,
    });
    expect([...p.scopes]).toEqual(['skd:inntekt', 'altinn:consentrequests.read']);
    expect(p.claims.iss).toBe(EXT_ISSUER);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.claims.consumer)).toBe(true);
  });

  it.each(['RS384', 'RS512'] as const)('accepts %s', async (alg) => {
    const { verifier } = await setup();
    await expect(verifier.verify(mint({ alg }))).resolves.toMatchObject({ consumer: '991825827' });
  });

  it('accepts ES256 from an external issuer', async () => {
    const { verifier } = await setup();
    await expect(verifier.verify(mint({ alg: 'ES256', key: ecExtKey }))).resolves.toMatchObject({
      builtIn: false,
    });
  });

  it('accepts a built-in token with keys from the IssuerKeySource', async () => {
    const { verifier, jwks, keySource } = await setup();
    const p = await verifier.verify(
      mint({ alg: 'ES256', key: builtInKey, claims: { iss: BUILT_IN_ISSUER } }),
    );
    expect(p).toMatchObject({ issuer: BUILT_IN_ISSUER, builtIn: true });
    expect(keySource.calls).toBe(1);
    expect(jwks.requests).toBe(0);
  });

  it('treats an absent scope claim as no scopes', async () => {
    const { verifier } = await setup();
    const p = await verifier.verify(mint({ claims: { scope: undefined } }));
    expect(p.scope).toBe('');
    expect(p.scopes.size).toBe(0);
  });

  it('accepts typ JWT, at+jwt, application/at+jwt and no typ', async () => {
    const { verifier } = await setup();
    for (const typ of ['JWT', 'at+jwt', 'application/at+jwt', undefined]) {
      await expect(
        verifier.verify(mint({ header: { typ }, claims: { jti: String(typ) } })),
      ).resolves.toBeDefined();
    }
  });
});

describe('TokenVerifier: algorithms and keys', () => {
  it('refuses alg "none" with an empty signature and with a fake one', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ alg: 'none' }), 'malformed');
    const t = mint({ alg: 'none' }) + 'AAAA';
    await expect401(verifier, t, 'algorithm');
  });

  it('refuses HS256 signed with the RSA public key bytes (algorithm confusion)', async () => {
    const { verifier, jwks } = await setup();
    const pem = Buffer.from(extKey.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const der = extKey.publicKey.export({ format: 'der', type: 'spki' });
    await expect401(verifier, mint({ alg: 'HS256', hmacSecret: pem }), 'algorithm');
    await expect401(verifier, mint({ alg: 'HS256', hmacSecret: der }), 'algorithm');
    expect(jwks.requests).toBe(0);
  });

  it.each(['HS384', 'HS512', 'PS256', 'ES384', 'ES512', 'EdDSA', 'rs256', 'NONE', ''])(
    'refuses alg %j',
    async (alg) => {
      const { verifier } = await setup();
      await expect401(verifier, mint({ header: { alg } }), 'algorithm');
    },
  );

  it('refuses a token without kid', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ header: { kid: undefined } }), 'kid');
  });

  it.each([
    ['a number', 42],
    ['empty', ''],
    ['257 characters', 'k'.repeat(257)],
    ['a control character', 'ext-1\n'],
  ])('refuses a kid that is %s', async (_what, kid) => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ header: { kid } }), 'kid');
  });

  it.each(['unknown-kid', '../../etc/passwd', "' OR 1=1--", '__proto__', 'constructor'])(
    'refuses the unknown or injected kid %j',
    async (kid) => {
      const { verifier } = await setup();
      await expect401(verifier, mint({ header: { kid } }), 'key_unknown');
    },
  );

  it('drops an RSA-1024 key from the JWKS, so its tokens are refused', async () => {
    const { verifier, registry } = await setup({ keys: [extKey.jwk, weakKey.jwk] });
    await expect401(verifier, mint({ key: weakKey }), 'key_unknown');
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({
      state: 'ok',
      keyCount: 1,
    });
  });

  it('refuses an ES256 token whose kid names an RSA key in the JWKS', async () => {
    const { verifier } = await setup({ keys: [{ ...extKey.jwk, kid: 'shared' }] });
    const token = mint({ alg: 'ES256', key: { ...ecExtKey, kid: 'shared' } });
    await expect401(verifier, token, 'key_type');
  });

  it('refuses an RS256 token whose kid names an EC key', async () => {
    const { verifier } = await setup({ keys: [{ ...ecExtKey.jwk, kid: 'shared' }] });
    await expect401(verifier, mint({ key: { ...extKey, kid: 'shared' } }), 'key_type');
  });

  it('honours the alg a JWK declares', async () => {
    const { verifier } = await setup({ keys: [{ ...extKey.jwk, alg: 'RS512' }] });
    await expect401(verifier, mint({ alg: 'RS256' }), 'key_type');
    await expect(verifier.verify(mint({ alg: 'RS512' }))).resolves.toBeDefined();
  });

  it('refuses a signature by another key under a known kid, and a tampered payload', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ key: { ...extKey2, kid: extKey.kid } }), 'signature');
    const [h, , s] = mint().split('.');
    const forged = b64(
      JSON.stringify({
        iss: EXT_ISSUER,
        iat: nowS(),
        exp: nowS() + 60,
        consumer: CONSUMER,
        scope: 'consentgw:admin',
      }),
    );
    await expect401(verifier, `${h}.${forged}.${s}`, 'signature');
  });

  it.each(['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'cty'])(
    'refuses a token with a %s header',
    async (name) => {
      const { verifier, jwks } = await setup();
      const value =
        name === 'crit'
          ? ['exp']
          : name === 'b64'
            ? false
            : name === 'jwk'
              ? extKey.jwk
              : 'https://evil.test/jwks';
      await expect401(verifier, mint({ header: { [name]: value } }), 'header');
      expect(jwks.requests).toBe(0);
    },
  );

  it('refuses a typ that is not a JWT access token', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ header: { typ: 'dpop+jwt' } }), 'header');
    await expect401(verifier, mint({ header: { typ: 7 } }), 'header');
  });
});

describe('TokenVerifier: issuer and time claims', () => {
  it('refuses an issuer that differs only by a trailing slash, either way', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { iss: 'https://ext.test' } }), 'issuer');
    await expect401(verifier, mint({ key: builtInKey, alg: 'ES256', claims: { iss: PUBLIC_URL } }), 'issuer');
    await expect401(
      verifier,
      mint({ key: builtInKey, alg: 'ES256', claims: { iss: `${BUILT_IN_ISSUER}/` } }),
      'issuer',
    );
  });

  it('refuses an unknown, missing or non-string issuer without fetching any keys', async () => {
    const { verifier, jwks, keySource } = await setup();
    await expect401(verifier, mint({ claims: { iss: 'https://evil.test/' } }), 'issuer');
    await expect401(verifier, mint({ claims: { iss: undefined } }), 'issuer');
    await expect401(verifier, mint({ claims: { iss: [EXT_ISSUER] } }), 'issuer');
    await expect401(verifier, mint({ claims: { iss: '__proto__' } }), 'issuer');
    expect(jwks.requests).toBe(0);
    expect(keySource.calls).toBe(0);
  });

  it('refuses an expired token beyond the 30 s leeway and accepts one within it', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { iat: nowS() - 100, exp: nowS() - 31 } }), 'expired');
    await expect(
      verifier.verify(mint({ claims: { iat: nowS() - 100, exp: nowS() - 29 } })),
    ).resolves.toBeDefined();
  });

  it('refuses iat more than 30 s in the future and accepts up to 30 s', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { iat: nowS() + 31, exp: nowS() + 120 } }), 'issued_in_future');
    await expect(
      verifier.verify(mint({ claims: { iat: nowS() + 30, exp: nowS() + 120 } })),
    ).resolves.toBeDefined();
  });

  it('refuses a lifetime over 3600 s, and exp before iat; accepts exactly 3600 s', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { iat: nowS(), exp: nowS() + 3601 } }), 'lifetime');
    await expect401(verifier, mint({ claims: { iat: nowS(), exp: nowS() - 1 } }), 'lifetime');
    await expect(
      verifier.verify(mint({ claims: { iat: nowS(), exp: nowS() + 3600 } })),
    ).resolves.toBeDefined();
  });

  it('honours nbf with 30 s leeway', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { nbf: nowS() + 31 } }), 'not_yet_valid');
    await expect(verifier.verify(mint({ claims: { nbf: nowS() + 30 } }))).resolves.toBeDefined();
  });

  it.each([
    ['exp missing', { exp: undefined }],
    ['iat missing', { iat: undefined }],
    ['exp a string', { exp: String(nowS() + 60) }],
    ['iat a string', { iat: String(nowS()) }],
    ['iat null', { iat: null }],
    ['nbf a string', { nbf: 'now' }],
    ['aud a number', { aud: 5 }],
    ['sub an object', { sub: {} }],
    ['client_id a number', { client_id: 5 }],
    ['jti a number', { jti: 5 }],
  ])('refuses a token with %s', async (_what, claims) => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims }), 'claims');
  });
});

describe('TokenVerifier: consumer and scope claims', () => {
  it.each([
    ['a wrong org number checksum', { authority: 'iso6523-actorid-upis', ID: '0192:991825828' }],
    ['another authority', { authority: 'other', ID: '0192:991825827' }],
    ['another ICD', { authority: 'iso6523-actorid-upis', ID: '0191:991825827' }],
    ['a bare org number', '991825827'],
    ['no ID', { authority: 'iso6523-actorid-upis' }],
    ['an array', [CONSUMER]],
    ['no consumer at all', undefined],
  ])('refuses a consumer claim with %s', async (_what, consumer) => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { consumer } }), 'consumer');
  });

  it('refuses a malformed supplier claim', async () => {
    const { verifier } = await setup();
    await expect401(
      verifier,
      mint({ claims: { supplier: { ...SUPPLIER, ID: '0192:974760674' } } }),
      'consumer',
    );
  });

  it.each([
    ['an array', ['a', 'b']],
    ['a number', 1],
    ['null', null],
    ['an object', { a: 1 }],
  ])('refuses a scope claim that is %s', async (_what, scope) => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ claims: { scope } }), 'scope_claim');
  });
});

describe('TokenVerifier: structure and strict JSON', () => {
  it('refuses a token over 8 KiB before anything else', async () => {
    const { verifier, jwks } = await setup();
    const big = mint({ claims: { pad: 'x'.repeat(8 * 1024) } });
    expect(big.length).toBeGreaterThan(8192);
    await expect401(verifier, big, 'too_large');
    await expect401(verifier, 'a'.repeat(8193), 'too_large');
    expect(jwks.requests).toBe(0);
  });

  it('refuses duplicate member names in the payload', async () => {
    const { verifier } = await setup();
    const base = `"iat":${nowS()},"exp":${nowS() + 60},"consumer":${JSON.stringify(CONSUMER)}`;
    await expect401(
      verifier,
      mint({ rawPayload: `{"iss":"https://evil.test/",${base},"iss":"${EXT_ISSUER}"}` }),
      'malformed',
    );
    await expect401(
      verifier,
      mint({ rawPayload: `{"iss":"${EXT_ISSUER}",${base},"scope":"a","scope":"consentgw:admin"}` }),
      'malformed',
    );
    // Escaped spelling of the same name is the same member.
    await expect401(
      verifier,
      mint({ rawPayload: `{"iss":"${EXT_ISSUER}",${base},"\\u0069ss":"x"}` }),
      'malformed',
    );
    // Nested objects too.
    await expect401(
      verifier,
      mint({
        rawPayload: `{"iss":"${EXT_ISSUER}","iat":${nowS()},"exp":${nowS() + 60},"consumer":{"authority":"iso6523-actorid-upis","ID":"0192:991825827","ID":"0192:974760673"}}`,
      }),
      'malformed',
    );
  });

  it('refuses duplicate member names in the header', async () => {
    const { verifier } = await setup();
    await expect401(
      verifier,
      mint({ rawHeader: `{"alg":"HS256","kid":"ext-1","alg":"RS256"}` }),
      'malformed',
    );
    await expect401(verifier, mint({ rawHeader: `{"alg":"RS256","kid":"nope","kid":"ext-1"}` }), 'malformed');
  });

  it('accepts the same raw payload without duplicates (the strict parser is not over-eager)', async () => {
    const { verifier } = await setup();
    const raw = `{ "iss" : "${EXT_ISSUER}", "iat": ${nowS()}, "exp": ${nowS() + 60}, "consumer": {"authority":"iso6523-actorid-upis","ID":"0192:991825827"}, "x": [1, -2.5e3, true, null, {"iss": "nested names are per object"}] }`;
    await expect(verifier.verify(mint({ rawPayload: raw }))).resolves.toMatchObject({
      consumer: '991825827',
    });
  });

  it.each([
    ['an empty string', ''],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ'],
    ['four parts', 'a.b.c.d'],
    ['an empty signature', 'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.'],
    ['whitespace', ' eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln'],
    ['standard base64 characters', 'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ==.c2ln'],
    ['a non-ASCII character', 'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2lnæ'],
  ])('refuses %s', async (_what, token) => {
    const { verifier } = await setup();
    await expect401(verifier, token, 'malformed');
  });

  it('refuses non-canonical base64url (trailing bits set, or impossible length)', async () => {
    const { verifier } = await setup();
    const [h, p, s] = mint().split('.');
    // The last character of a part whose length ≡ 2 mod 4 carries 4 padding bits; flip them.
    const tweak = (part: string): string => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(part[part.length - 1]);
      return part.slice(0, -1) + alphabet[last ^ 1];
    };
    const odd = [h, p, s].find((x) => x.length % 4 !== 0)!;
    expect(Buffer.from(tweak(odd), 'base64url').equals(Buffer.from(odd, 'base64url'))).toBe(true);
    const token = [h, p, s].map((x) => (x === odd ? tweak(x) : x)).join('.');
    await expect401(verifier, token, 'malformed');
    // A length ≡ 1 (mod 4) can never be valid base64url.
    const pad = (part: string): string => part + 'A'.repeat((((1 - part.length) % 4) + 4) % 4 || 4);
    expect(pad(s).length % 4).toBe(1);
    await expect401(verifier, `${h}.${pad(p)}.${s}`, 'malformed');
    await expect401(verifier, `${h}.${p}.${pad(s)}`, 'malformed');
  });

  it.each([
    ['not JSON', 'not json'],
    ['a JSON array', '[]'],
    ['a JSON string', '"iss"'],
    ['JSON with a trailing comma', '{"a":1,}'],
    ['JSON followed by garbage', '{"a":1} x'],
    ['JSON with a BOM', '\uFEFF{"a":1}'],
  ])('refuses a payload that is %s', async (_what, raw) => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ rawPayload: raw }), 'malformed');
  });

  it('refuses a header that is not JSON, and bytes that are not UTF-8', async () => {
    const { verifier } = await setup();
    await expect401(verifier, mint({ rawHeader: 'RS256' }), 'malformed');
    const bad = `${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.${mint().split('.')[1]}.c2ln`;
    await expect401(verifier, bad, 'malformed');
  });

  it('turns anything that is not a string into a 401, never a crash', async () => {
    const { verifier } = await setup();
    for (const t of [undefined, null, 42, {}, ['a.b.c'], Buffer.from('a.b.c')]) await expect401(verifier, t);
  });
});

describe('TokenVerifier: verified-token cache', () => {
  it('returns the cached principal without verifying again, and still refuses it after exp', async () => {
    const { verifier, authMetrics } = await setup();
    const token = mint({ claims: { exp: nowS() + 60 } });
    await verifier.verify(token); // first use: verified, remembered as seen
    const first = await verifier.verify(token); // second use: verified again and cached
    const hits = async () => (await authMetrics.tokenVerifyCacheHitsTotal.get()).values[0]?.value ?? 0;
    const before = await hits();
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(await hits()).toBe(before + 1);

    now += 61_000; // past exp, inside the leeway: verified again (not from cache)
    const third = await verifier.verify(token);
    expect(third).not.toBe(first);
    now += 30_000; // beyond the leeway
    await expect401(verifier, token, 'expired');
  });

  it('verifyCached answers synchronously only for a token verified before and still valid', async () => {
    const { verifier } = await setup();
    const token = mint({ claims: { exp: nowS() + 60 } });
    expect(verifier.verifyCached(token)).toBeUndefined(); // never verified: no shortcut
    await verifier.verify(token);
    expect(verifier.verifyCached(token)).toBeUndefined(); // used once: not cached yet
    const first = await verifier.verify(token);
    expect(verifier.verifyCached(token)).toBe(first);
    expect(verifier.verifyCached(`${token}x`)).toBeUndefined();
    expect(verifier.verifyCached(undefined as unknown as string)).toBeUndefined();
    now += 61_000; // past exp: the slow path decides (leeway, then 401)
    expect(verifier.verifyCached(token)).toBeUndefined();
  });

  it('verifyCached stops answering once the signing key is no longer published', async () => {
    const { verifier, registry, jwks } = await setup({ keys: [extKey.jwk, extKey2.jwk] });
    const token = mint({ key: extKey2, claims: { exp: nowS() + 3000 } });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.verifyCached(token)).toBeDefined();
    jwks.serve({ keys: [extKey.jwk] });
    now += 300_500; // past the TTL, within the fetch time: a background refresh
    await verifier.verify(token); // triggers the refresh
    await registry.get(EXT_ISSUER)!.whenIdle();
    expect(verifier.verifyCached(token)).toBeUndefined();
  });

  it('does not serve a cached token once its key disappeared from the JWKS', async () => {
    const { verifier, registry, jwks } = await setup({ keys: [extKey.jwk, extKey2.jwk] });
    const token = mint({ key: extKey2, claims: { exp: nowS() + 3000 } });
    await verifier.verify(token);
    const first = await verifier.verify(token);
    jwks.serve({ keys: [extKey.jwk] });
    now += 300_500; // TTL passed (within the fetch time): the next use triggers a background refresh
    expect(await verifier.verify(token)).toBe(first); // cache hit while the refresh runs
    await registry.get(EXT_ISSUER)!.whenIdle();
    await expect401(verifier, token, 'key_unknown');
  });

  it('admits a token on its second use, so tokens used once never displace reused ones', async () => {
    const { verifier } = await setup();
    const reused = mint({ claims: { exp: nowS() + 600 } });
    await verifier.verify(reused);
    const cached = await verifier.verify(reused);
    // A flood of distinct single-use tokens (more than the cache holds)…
    for (let i = 0; i < 4200; i++)
      await verifier.verify(mint({ claims: { exp: nowS() + 600, jti: `j${i}` } }));
    // …leaves the reused token where it was.
    expect(verifier.verifyCached(reused)).toBe(cached);
  });

  it("never serves a forged token that copies a cached token's signature tail (the cache key)", async () => {
    const { verifier } = await setup();
    const token = mint({ claims: { exp: nowS() + 600 } });
    await verifier.verify(token);
    const cached = await verifier.verify(token);
    const [h, , sig] = token.split('.');
    const forged = `${h}.${mint({ claims: { exp: nowS() + 600, scope: 'admin:everything' } }).split('.')[1]}.${sig}`;
    expect(forged.slice(-22)).toBe(token.slice(-22)); // same tag: it finds the cached entry…
    expect(verifier.verifyCached(forged)).toBeUndefined(); // …which is not this token
    await expect401(verifier, forged, 'signature');
    await expect401(verifier, forged, 'signature'); // a failed verification never enters the cache
    expect(verifier.verifyCached(token)).toBe(cached); // nor does it push the real one out
  });

  it('does not cache refusals: a bad token costs a full check each time and stays refused', async () => {
    const { verifier } = await setup();
    const token = mint({ key: { ...extKey2, kid: extKey.kid } });
    await expect401(verifier, token, 'signature');
    await expect401(verifier, token, 'signature');
  });
});

describe('TokenVerifier: JWKS refresh and outages', () => {
  it('keeps serving the last good keys through an outage, then fails closed after the stale window', async () => {
    const { verifier, jwks, registry } = await setup();
    const t0 = now;
    await verifier.verify(mint({ claims: { jti: 'a' } }));
    jwks.handler = (_req, res) => {
      res.writeHead(500);
      res.end('down');
    };
    now = t0 + 301_000; // TTL expired: refresh fails, stale keys keep working
    await verifier.verify(mint({ claims: { jti: 'b' } }));
    await registry.get(EXT_ISSUER)!.whenIdle();
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({
      state: 'stale',
      lastError: 'HTTP 500',
      keyCount: 2,
    });

    now = t0 + 86_400_000 - 1_000; // still inside 24 h of the last good fetch
    await expect(verifier.verify(mint({ claims: { jti: 'c' } }))).resolves.toBeDefined();

    now = t0 + 86_400_000 + 1_000; // beyond: fail closed
    await expect503(verifier, mint({ claims: { jti: 'd' } }));
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({
      state: 'down',
      keyCount: 0,
    });

    // Recovery: endpoint back, next attempt allowed after the retry interval.
    jwks.serve({ keys: [extKey.jwk] });
    now += 5_000;
    await expect(verifier.verify(mint({ claims: { jti: 'e' } }))).resolves.toBeDefined();
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({
      state: 'ok',
      lastError: null,
    });
  });

  it('answers 503 for an issuer that never had a good fetch', async () => {
    const { verifier, jwks, registry } = await setup();
    jwks.handler = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    await expect503(verifier, mint());
    const status = registry.status().find((s) => s.issuer === EXT_ISSUER);
    expect(status).toMatchObject({
      state: 'down',
      keyCount: 0,
      lastGoodFetchAt: null,
      lastError: 'HTTP 503',
    });
    // Other issuers still work.
    await expect(
      verifier.verify(mint({ alg: 'ES256', key: builtInKey, claims: { iss: BUILT_IN_ISSUER } })),
    ).resolves.toBeDefined();
  });

  it.each([
    ['an empty key list', { keys: [] }],
    ['only unusable keys', { keys: [weakKey.jwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'x' }] }],
    ['no keys member', {}],
    ['invalid JSON', '{"keys": ['],
    ['duplicate JSON member names', `{"keys":[],"keys":[${JSON.stringify(extKey2.jwk)}]}`],
  ])('never replaces good keys with %s', async (_what, doc) => {
    const { verifier, jwks, registry } = await setup({ keys: [extKey.jwk] });
    await verifier.verify(mint({ claims: { jti: 'first' } }));
    jwks.serve(doc);
    now += 31_000;
    await expect401(verifier, mint({ key: extKey2 }), 'key_unknown'); // kid miss → refresh → failure
    expect(jwks.requests).toBe(2);
    await expect(verifier.verify(mint({ claims: { jti: 'again' } }))).resolves.toBeDefined();
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({
      state: 'stale',
      keyCount: 1,
    });
  });

  it('drops a JWK carrying private material and uses the remaining keys', async () => {
    const privateJwk = { ...extKey2.privateKey.export({ format: 'jwk' }), kid: extKey2.kid };
    expect(privateJwk.d).toBeDefined();
    const { verifier, registry } = await setup({ keys: [privateJwk, extKey.jwk] });
    await expect401(verifier, mint({ key: extKey2 }), 'key_unknown');
    await expect(verifier.verify(mint())).resolves.toBeDefined();
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)).toMatchObject({ keyCount: 1 });
  });

  it('treats a JWKS with only private keys as a failed fetch (503 when there were no keys before)', async () => {
    const privateJwk = { ...extKey.privateKey.export({ format: 'jwk' }), kid: extKey.kid };
    const { verifier } = await setup({ keys: [privateJwk] });
    await expect503(verifier, mint());
  });

  it('treats a JWKS over 64 KiB as a failed fetch, with or without content-length', async () => {
    const padding = Array.from({ length: 200 }, (_, i) => ({ ...extKey2.jwk, kid: `pad-${i}` }));
    const big = JSON.stringify({ keys: [extKey.jwk, ...padding] });
    expect(big.length).toBeGreaterThan(64 * 1024);

    const a = await setup(big);
    await expect503(a.verifier, mint());
    expect(a.registry.status().find((s) => s.issuer === EXT_ISSUER)?.lastError).toMatch(/larger than 65536/);

    const b = await setup(big);
    b.jwks.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
      res.write(big.slice(0, 40_000));
      res.end(big.slice(40_000));
    };
    await expect503(b.verifier, mint());
  });

  it('picks up a rotated key after a kid miss', async () => {
    const { verifier, jwks } = await setup({ keys: [extKey.jwk] });
    await verifier.verify(mint({ claims: { jti: '1' } }));
    jwks.serve({ keys: [extKey.jwk, extKey2.jwk] });
    now += 31_000;
    await expect(verifier.verify(mint({ key: extKey2 }))).resolves.toMatchObject({ consumer: '991825827' });
    expect(jwks.requests).toBe(2);
  });

  it('shares one JWKS fetch among 100 concurrent verifications with an unknown kid', async () => {
    const { verifier, jwks } = await setup({ keys: [extKey.jwk] });
    await verifier.verify(mint({ claims: { jti: 'warm' } }));
    expect(jwks.requests).toBe(1);
    jwks.serve({ keys: [extKey.jwk, extKey2.jwk] });
    now += 31_000;
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        verifier.verify(mint({ key: extKey2, claims: { jti: `c${i}` } })),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(jwks.requests).toBe(2);
  });

  it('shares one fetch among 100 concurrent first verifications (cold cache)', async () => {
    const { verifier, jwks } = await setup({ keys: [extKey.jwk] });
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => verifier.verify(mint({ header: { kid: `nope-${i}` } }))),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof InvalidTokenError)).toBe(true);
    expect(jwks.requests).toBe(1);
  });

  it('refreshes at most once per 30 s on repeated unknown kids', async () => {
    const { verifier, jwks } = await setup({ keys: [extKey.jwk] });
    await verifier.verify(mint());
    for (let i = 0; i < 20; i++) {
      now += 1_000;
      await expect401(verifier, mint({ header: { kid: `random-${i}` } }), 'key_unknown');
    }
    expect(jwks.requests).toBe(2); // the first unknown kid fetched once; 19 more in 19 s: none
    now += 10_000;
    await expect401(verifier, mint({ header: { kid: 'random-x' } }), 'key_unknown');
    expect(jwks.requests).toBe(2);
    now += 1_000; // 30 s after the first unknown-kid fetch
    await expect401(verifier, mint({ header: { kid: 'random-y' } }), 'key_unknown');
    expect(jwks.requests).toBe(3);
    now += 29_000;
    await expect401(verifier, mint({ header: { kid: 'random-z' } }), 'key_unknown');
    expect(jwks.requests).toBe(3);
  });

  it('refuses a key the issuer dropped within TTL + fetch time, for cached and uncached tokens (issue 17 #4)', async () => {
    const ttlMs = 10_000;
    const { verifier, registry, jwks } = await setup(
      { keys: [extKey.jwk, extKey2.jwk] },
      { jwksTtlSeconds: ttlMs / 1000, jwksFetchTimeoutMs: 500 },
    );
    const t0 = now;
    const cached = mint({ key: extKey2, claims: { exp: nowS() + 3000, jti: 'cached' } });
    await verifier.verify(cached);
    await verifier.verify(cached);
    expect(verifier.verifyCached(cached)).toBeDefined();
    // An unknown-kid fetch 4 s in starts the 30 s cooldown; it must not delay the TTL refresh.
    now = t0 + 4_000;
    await expect401(verifier, mint({ header: { kid: 'forged' } }), 'key_unknown');
    jwks.serve({ keys: [extKey.jwk] }); // the issuer drops ext-2 right after that fetch
    const uncached = () => mint({ key: extKey2, claims: { exp: nowS() + 3000, jti: `u${now}` } });
    now = t0 + 4_000 + ttlMs - 1; // just inside the TTL of the last fetch: still accepted
    await expect(verifier.verify(uncached())).resolves.toBeDefined();
    now = t0 + 4_000 + ttlMs; // the TTL: a refresh starts; a fetch may take up to its timeout
    await verifier.verify(cached).catch(() => undefined);
    await registry.get(EXT_ISSUER)!.whenIdle();
    expect(verifier.verifyCached(cached)).toBeUndefined();
    await expect401(verifier, cached, 'key_unknown');
    await expect401(verifier, uncached(), 'key_unknown');
    await expect(verifier.verify(mint({ key: extKey }))).resolves.toBeDefined();
  });

  it('refuses a dropped key on the first request after a quiet period, without serving it once more', async () => {
    const { verifier, jwks } = await setup({ keys: [extKey.jwk, extKey2.jwk] }, { jwksTtlSeconds: 10 });
    const cached = mint({ key: extKey2, claims: { exp: nowS() + 3000 } });
    await verifier.verify(cached);
    await verifier.verify(cached);
    jwks.serve({ keys: [extKey.jwk] });
    now += 60_000; // nobody called for a minute
    expect(verifier.verifyCached(cached)).toBeUndefined();
    await expect401(verifier, cached, 'key_unknown');
    expect(jwks.requests).toBe(2);
  });

  it('refreshes in the background after the TTL without delaying requests', async () => {
    const { verifier, registry, jwks } = await setup({ keys: [extKey.jwk] });
    await verifier.verify(mint({ claims: { jti: '1' } }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    jwks.handler = (_req, res) => {
      void gate.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [extKey.jwk, extKey2.jwk] }));
      });
    };
    now += 300_500;
    await expect(verifier.verify(mint({ claims: { jti: '2' } }))).resolves.toBeDefined(); // not blocked by the hanging fetch
    release();
    await registry.get(EXT_ISSUER)!.whenIdle();
    await expect(verifier.verify(mint({ key: extKey2 }))).resolves.toBeDefined();
    expect(jwks.requests).toBe(2);
  });

  it('fails a JWKS fetch that exceeds the timeout', async () => {
    const { verifier, registry, jwks } = await setup(undefined, { jwksFetchTimeoutMs: 200 });
    jwks.handler = () => {
      /* never answers */
    };
    const started = Date.now();
    await expect503(verifier, mint());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(registry.status().find((s) => s.issuer === EXT_ISSUER)?.lastError).toMatch(/timed out|timeout/i);
  });

  it('re-asks the built-in key source on an unknown kid (local key rotation)', async () => {
    const { verifier, keySource } = await setup();
    const next = ecKey('builtin-2');
    await verifier.verify(mint({ alg: 'ES256', key: builtInKey, claims: { iss: BUILT_IN_ISSUER } }));
    keySource.keys = [builtInKey.jwk, next.jwk];
    now += 2_000;
    await expect(
      verifier.verify(mint({ alg: 'ES256', key: next, claims: { iss: BUILT_IN_ISSUER } })),
    ).resolves.toMatchObject({ builtIn: true });
    expect(keySource.calls).toBe(2);
  });

  it('keeps the last built-in keys when the key source throws', async () => {
    const { verifier, keySource, registry } = await setup();
    await verifier.verify(mint({ alg: 'ES256', key: builtInKey, claims: { iss: BUILT_IN_ISSUER } }));
    keySource.getPublicJwks = async () => {
      keySource.calls++;
      throw new Error('connect ECONNREFUSED postgres://user:secret@db');
    };
    now += 61_000;
    await expect(
      verifier.verify(mint({ alg: 'ES256', key: builtInKey, claims: { iss: BUILT_IN_ISSUER, jti: 'x' } })),
    ).resolves.toBeDefined();
    await registry.get(BUILT_IN_ISSUER)!.whenIdle();
    const status = registry.status().find((s) => s.builtIn);
    expect(status).toMatchObject({ state: 'stale', lastError: 'key source failed' });
    expect(JSON.stringify(status)).not.toContain('secret');
  });
});

describe('TrustedIssuerRegistry', () => {
  it('refuses an external issuer configured twice or equal to the built-in issuer', () => {
    const source = { getPublicJwks: jest.fn(async () => ({ keys: [] })) };
    const dup = testConfig('http://127.0.0.1:1/jwk', {
      trustedIssuers: [
        { issuer: EXT_ISSUER, jwksUrl: 'http://a/' },
        { issuer: EXT_ISSUER, jwksUrl: 'http://b/' },
      ],
    });
    const metrics = new AuthMetrics(new MetricsRegistry({ processMetrics: false }));
    expect(() => new TrustedIssuerRegistry(dup, source, () => 0, metrics)).toThrow(/twice/);
    const clash = testConfig('http://127.0.0.1:1/jwk', {
      trustedIssuers: [{ issuer: BUILT_IN_ISSUER, jwksUrl: 'http://a/' }],
    });
    expect(() => new TrustedIssuerRegistry(clash, source, () => 0, metrics)).toThrow(/twice/);
  });

  it('reports per-issuer status for readiness and exposes JWKS metrics', async () => {
    const { verifier, registry, metrics: registryOfMetrics } = await setup();
    await verifier.verify(mint());
    const ext = registry.status().find((s) => s.issuer === EXT_ISSUER)!;
    expect(ext).toMatchObject({ builtIn: false, state: 'ok', keyCount: 2, lastError: null });
    expect(ext.lastGoodFetchAt).toBe(new Date(now).toISOString());
    const metrics = await registryOfMetrics.render();
    expect(metrics).toContain(`jwks_refresh_total{issuer="${EXT_ISSUER}"}`);
    expect(metrics).toContain(`jwks_keys{issuer="${EXT_ISSUER}"} 2`);
    expect(metrics).toMatch(/jwks_key_age_seconds\{issuer="https:\/\/ext\.test\/"\} \d/);
    expect(metrics).toContain('token_verify_seconds_bucket');
    expect(metrics).toContain('jwks_refresh_failures_total');
    registry.onModuleDestroy();
  });
});
