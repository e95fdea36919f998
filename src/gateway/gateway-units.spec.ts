import { describe, expect, it } from '@jest/globals';
import { upstreamPath } from './api-route.js';
import { downstreamResponseHeaders, isReservedHeader, upstreamRequestHeaders } from './proxy-headers.js';
import { checkUpstreamUrl } from './upstream-url.js';

const CTX = {
  consentId: 'c-1',
  fromUrn: 'urn:altinn:person:identifier-no:25922947409',
  toUrn: 'urn:altinn:organization:identifier-no:991825827',
  metadataHeader: '{}',
  clientIp: '10.0.0.7',
  proto: 'https' as const,
  requestId: 'gw-1',
};

describe('upstreamRequestHeaders', () => {
  it('drops credentials, hop-by-hop and spoofable context headers and adds the verified context once', () => {
    const raw = [
      'Host', 'gateway.example',
      'Authorization', 'Bearer secret',
      'Cookie', 'a=b',
      'Connection', 'keep-alive, X-Secret',
      'X-Secret', 'hop',
      'Keep-Alive', 'timeout=5',
      'TE', 'trailers',
      'Transfer-Encoding', 'chunked',
      'X-Consent-From', 'urn:altinn:person:identifier-no:02013299997',
      'X-Forwarded-For', '1.2.3.4',
      'Forwarded', 'for=1.2.3.4',
      'X-Request-Id', 'client',
      'Expect', '100-continue',
      'Accept', 'application/json',
      'Accept', 'text/plain',
    ]; // prettier-ignore
    const out = upstreamRequestHeaders(raw, null, 'keep-alive, X-Secret', CTX);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < out.length; i += 2) pairs.push([out[i].toLowerCase(), out[i + 1]]);
    expect(pairs).toEqual([
      ['accept', 'application/json'],
      ['accept', 'text/plain'],
      ['x-consent-id', 'c-1'],
      ['x-consent-from', CTX.fromUrn],
      ['x-consent-to', CTX.toUrn],
      ['x-consent-metadata', '{}'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'https'],
      ['x-request-id', 'gw-1'],
    ]);
  });

  it('passes on the answer without hop-by-hop headers', () => {
    expect(
      downstreamResponseHeaders({
        'content-type': 'application/json',
        'content-length': '2',
        connection: 'keep-alive, x-internal',
        'keep-alive': 'timeout=5',
        'x-internal': 'hop',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ 'content-type': 'application/json', 'content-length': '2', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('reserves the headers the gateway sets or removes', () => {
    for (const h of [
      'Authorization',
      'X-Consent-From',
      'x-forwarded-for',
      'Connection',
      'Host',
      'Content-Length',
    ])
      expect(isReservedHeader(h)).toBe(true);
    expect(isReservedHeader('X-Subject')).toBe(false);
  });
});

describe('upstreamPath', () => {
  it.each([
    ['', '', '/'],
    ['', '?a=1', '/?a=1'],
    ['', '/x', '/x'],
    ['/api', '', '/api'],
    ['/api', '/', '/api/'],
    ['/api', '?a=1', '/api?a=1'],
    ['/api', '/v1/x?y=%20', '/api/v1/x?y=%20'],
  ])('joins base %j and rest %j as %j', (base, rest, expected) => {
    expect(upstreamPath(base, rest)).toBe(expected);
  });
});

describe('checkUpstreamUrl', () => {
  it('accepts http(s) base URLs and normalises them', () => {
    expect(checkUpstreamUrl('https://api.example/inntekt/v1', false)).toEqual({
      ok: true,
      normalised: 'https://api.example/inntekt/v1',
    });
    expect(checkUpstreamUrl('http://10.1.2.3:8080', false)).toEqual({
      ok: true,
      normalised: 'http://10.1.2.3:8080/',
    });
  });

  it.each([
    'ftp://x.example/',
    'https://user:pw@x.example/',
    'https://x.example/a?b=c',
    'https://x.example/a#f',
    'https://x.example/a/%2e%2e/b',
    'not a url',
  ])('refuses %s', (url) => {
    expect(checkUpstreamUrl(url, true).ok).toBe(false);
  });

  it.each([
    'http://127.0.0.1:5432',
    'http://localhost/',
    'http://169.254.169.254/latest',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://[::ffff:127.0.0.1]/',
  ])('refuses the loopback or link-local %s outside development', (url) => {
    expect(checkUpstreamUrl(url, false).ok).toBe(false);
    expect(checkUpstreamUrl(url, true).ok).toBe(true);
  });
});
