/**
 * Differential tests of the headers the gateway forwards (DESIGN §11 "header names"): whatever
 * a client sends, a CGI-style framework behind the gateway (CGI, WSGI, Rack, PHP: `HTTP_` +
 * uppercase + `-`/`_` folded) must find the verified identity variables holding exactly the
 * gateway's values, client-only credentials and forwarding headers absent, and the subject
 * header exactly as the gateway checked it.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { upstreamRequestHeaders, type VerifiedContext } from '../../src/gateway/proxy-headers.js';
import { cgiEnvironment, cgiVariable, lenientCgiVariable } from './reference-servers.js';

const CTX: VerifiedContext = {
  consentId: '0191c0de-0000-7000-8000-000000000001',
  fromUrn: 'urn:altinn:person:identifier-no:02013299997',
  toUrn: 'urn:altinn:organization:identifier-no:991825827',
  metadataHeader: '{"inntektsaar":"2024"}',
  clientIp: '203.0.113.7',
  proto: 'https',
  requestId: 'gw-test-1',
  subjectHeader: 'x-person-id',
};

/** Variables only the gateway may set, and their values. */
const OURS: Record<string, string> = {
  HTTP_X_CONSENT_ID: CTX.consentId,
  HTTP_X_CONSENT_FROM: CTX.fromUrn,
  HTTP_X_CONSENT_TO: CTX.toUrn,
  HTTP_X_CONSENT_METADATA: CTX.metadataHeader,
  HTTP_X_FORWARDED_FOR: CTX.clientIp,
  HTTP_X_FORWARDED_PROTO: CTX.proto,
  HTTP_X_REQUEST_ID: CTX.requestId,
};
/** Variables a client header must never reach upstream as. */
const NEVER = [
  'HTTP_AUTHORIZATION',
  'HTTP_COOKIE',
  'HTTP_FORWARDED',
  'HTTP_X_REAL_IP',
  'HTTP_X_FORWARDED_HOST',
  'HTTP_X_CONSENT_OTHER',
  'HTTP_X_HTTP_METHOD_OVERRIDE',
  'HTTP_X_METHOD_OVERRIDE',
  'HTTP_PROXY_AUTHORIZATION',
  'HTTP_TRANSFER_ENCODING',
  'HTTP_HOST',
  'HTTP_X_ORIGINAL_URL',
  'HTTP_X_REWRITE_URL',
  'HTTP_X_HOST',
];

const NAMES = [
  'x-consent-id',
  'x-consent-from',
  'x-consent-to',
  'x-consent-metadata',
  'x-consent-other',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'transfer-encoding',
  'content-length',
  'content-type',
  'x-http-method-override',
  'x-method-override',
  'x-original-url',
  'x-rewrite-url',
  'x-host',
  'x-person-id',
  'accept',
  'x-custom-thing',
];

/** A name as a client might spell it: any case, `-` swapped for `_` or `.` here and there. */
const spelling = fc
  .tuple(
    fc.constantFrom(...NAMES),
    fc.array(fc.constantFrom('keep', 'upper', '_', '.'), { minLength: 24, maxLength: 24 }),
  )
  .map(([name, choices]) =>
    [...name]
      .map((c, i) => {
        const how = choices[i];
        if (c === '-') return how === '_' || how === '.' ? how : c;
        return how === 'upper' ? c.toUpperCase() : c;
      })
      .join(''),
  );

const headers = fc.array(fc.tuple(spelling, fc.constantFrom('evil', 'A', '02013299997', '1')), {
  maxLength: 12,
});
const connection = fc.option(
  fc
    .subarray(['keep-alive', 'x-person-id', 'x-consent-id', 'X-Forwarded-For', 'x-custom-thing'])
    .map((l) => l.join(', ')),
);

describe('forwarded headers under CGI-style name folding', () => {
  it.each([
    ['strict CGI (`-` → `_`)', cgiVariable],
    ['lenient (every other character → `_`)', lenientCgiVariable],
  ])('keeps identity, credentials and the subject unspoofable under %s', (_name, toVariable) => {
    fc.assert(
      fc.property(headers, connection, (pairs, conn) => {
        const raw = pairs.flat();
        const out = upstreamRequestHeaders(raw, null, conn ?? undefined, CTX);
        const env = cgiEnvironment(out, toVariable);
        // The subject and framing headers reach the upstream only in the spelling the gateway read.
        const misspelt: string[] = [];
        for (let i = 0; i < out.length; i += 2) {
          const canonical = {
            HTTP_X_PERSON_ID: 'x-person-id',
            HTTP_CONTENT_LENGTH: 'content-length',
            HTTP_CONTENT_TYPE: 'content-type',
          }[lenientCgiVariable(out[i])];
          if (canonical !== undefined && out[i].toLowerCase() !== canonical) misspelt.push(out[i]);
        }
        // One comparison per run (expect is the expensive part of a run).
        expect({
          ours: Object.fromEntries(Object.keys(OURS).map((v) => [v, env.get(v)])),
          leaked: NEVER.filter((v) => env.has(v)),
          misspelt,
          // …and every subject header the client sent in that spelling is still there, in order.
          subject: env.get('HTTP_X_PERSON_ID') ?? [],
        }).toEqual({
          ours: Object.fromEntries(Object.entries(OURS).map(([v, value]) => [v, [value]])),
          leaked: [],
          misspelt: [],
          subject: pairs.filter(([n]) => n.toLowerCase() === 'x-person-id').map(([, v]) => v),
        });
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ['X_Consent_Id', 'evil'],
    ['x_consent_from', 'urn:altinn:person:identifier-no:25922947409'],
    ['X.Forwarded.For', '10.0.0.1'],
    ['X_Real_IP', '10.0.0.1'],
    ['X_HTTP_Method_Override', 'DELETE'],
    ['Content_Length', '5'],
    ['X_Person_Id', '25922947409'],
  ])('drops the client header %s (issue 17 #2)', (name, value) => {
    const out = upstreamRequestHeaders([name, value, 'accept', 'application/json'], null, undefined, CTX);
    expect(out).not.toContain(name);
    expect(out).not.toContain(value);
    expect(out.slice(0, 2)).toEqual(['accept', 'application/json']);
  });
});

describe('headers that describe the body (RT-3)', () => {
  const body: string[] = [
    'Content-Type',
    'application/xml',
    'Content-Length',
    '4',
    'Content-Encoding',
    'gzip',
  ];

  it.each(['Content-Type', 'content-length, Content-Encoding', 'keep-alive, CONTENT-TYPE, x-custom-thing'])(
    'keeps Content-Type, -Length and -Encoding when Connection names them (%s)',
    (conn) => {
      const out = upstreamRequestHeaders([...body, 'x-custom-thing', 'a'], null, conn, CTX);
      expect(out.slice(0, body.length)).toEqual(body);
    },
  );

  it('still drops the other headers Connection names', () => {
    const out = upstreamRequestHeaders([...body, 'x-custom-thing', 'a'], null, 'x-custom-thing', CTX);
    expect(out).not.toContain('x-custom-thing');
  });
});

describe('httpoxy, client-address and auth-proxy identity headers (RT-9)', () => {
  it.each([
    ['Proxy', 'http://evil.example:8080'],
    ['proxy', 'http://evil.example:8080'],
    ['Client-IP', '10.0.0.1'],
    ['Client_IP', '10.0.0.1'],
    ['X-Cluster-Client-IP', '10.0.0.1'],
    ['CF-Connecting-IP', '10.0.0.1'],
    ['Fastly-Client-IP', '10.0.0.1'],
    ['X-Originating-IP', '10.0.0.1'],
    ['Remote-User', 'admin'],
    ['X-Remote-User', 'admin'],
    ['X-Authenticated-User', 'admin'],
    ['X-Auth-Request-User', 'admin'],
    ['X-Auth-Request-Email', 'admin@evil.example'],
    ['X-MS-CLIENT-PRINCIPAL-NAME', 'admin'],
    ['X-Amzn-OIDC-Identity', 'admin'],
    ['X-Goog-Authenticated-User-Email', 'accounts.google.com:admin@evil.example'],
    ['X-Envoy-Original-Path', '/admin'],
  ])('drops %s', (name, value) => {
    const out = upstreamRequestHeaders([name, value, 'accept', 'application/json'], null, undefined, CTX);
    expect(out).not.toContain(name);
    expect(out).not.toContain(value);
    expect(out.slice(0, 2)).toEqual(['accept', 'application/json']);
  });

  it('keeps look-alikes that are not those headers', () => {
    const raw = ['X-Proxy-Id', 'a', 'X-Client-Version', 'b', 'X-User-Agent-Hint', 'c'];
    expect(upstreamRequestHeaders(raw, null, undefined, CTX).slice(0, raw.length)).toEqual(raw);
  });
});
