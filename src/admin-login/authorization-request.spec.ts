import { describe, expect, it } from '@jest/globals';
import type { PublicClient } from '../config/app-config.js';
import { clientRedirect, paramsFromQuery, parseAuthorizationRequest } from './authorization-request.js';

const CLIENT: PublicClient = {
  clientId: 'swagger-ui',
  redirectUris: ['https://gw.example/docs/oauth2-redirect.html'],
};
const clientOf = (id: string) => (id === CLIENT.clientId ? CLIENT : undefined);
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const GOOD = {
  response_type: 'code',
  client_id: 'swagger-ui',
  redirect_uri: CLIENT.redirectUris[0],
  state: 'xyz',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

function parse(over: Record<string, string | undefined>, extra = '') {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...GOOD, ...over })) if (v !== undefined) q.append(k, v);
  return parseAuthorizationRequest(paramsFromQuery(q.toString() + extra), clientOf);
}

describe('parseAuthorizationRequest (RFC 6749 §4.1.1, RFC 7636)', () => {
  it('accepts a complete request, scope optional', () => {
    expect(parse({})).toEqual({
      kind: 'ok',
      request: {
        clientId: 'swagger-ui',
        redirectUri: GOOD.redirect_uri,
        state: 'xyz',
        codeChallenge: CHALLENGE,
        scope: null,
      },
    });
    expect(parse({ scope: 'a:b c:d' })).toMatchObject({ kind: 'ok', request: { scope: 'a:b c:d' } });
  });

  it.each([
    ['no client_id', { client_id: undefined }, '', 'client_id_missing'],
    ['an unknown client', { client_id: 'x' }, '', 'client_unknown'],
    ['a repeated client_id', {}, '&client_id=swagger-ui', 'client_id_repeated'],
    ['no redirect_uri', { redirect_uri: undefined }, '', 'redirect_uri_missing'],
    [
      'a redirect_uri with a trailing slash',
      { redirect_uri: `${GOOD.redirect_uri}/` },
      '',
      'redirect_uri_mismatch',
    ],
    [
      'a redirect_uri with another scheme',
      { redirect_uri: GOOD.redirect_uri.replace('https', 'http') },
      '',
      'redirect_uri_mismatch',
    ],
    [
      'a repeated redirect_uri',
      {},
      `&redirect_uri=${encodeURIComponent(GOOD.redirect_uri)}`,
      'redirect_uri_repeated',
    ],
  ])('shows an error page (never redirects) for %s', (_label, over, extra, reason) => {
    expect(parse(over, extra)).toEqual({ kind: 'bad-client', reason });
  });

  it.each([
    ['response_type=token', { response_type: 'token' }, '', 'unsupported_response_type'],
    ['no response_type', { response_type: undefined }, '', 'invalid_request'],
    ['a repeated response_type', {}, '&response_type=code', 'invalid_request'],
    ['method plain', { code_challenge_method: 'plain' }, '', 'invalid_request'],
    ['method s256 (case)', { code_challenge_method: 's256' }, '', 'invalid_request'],
    ['no challenge', { code_challenge: undefined }, '', 'invalid_request'],
    ['a challenge of the wrong length', { code_challenge: `${CHALLENGE}A` }, '', 'invalid_request'],
    ['a challenge with padding', { code_challenge: `${CHALLENGE.slice(0, 42)}=` }, '', 'invalid_request'],
    ['no state', { state: undefined }, '', 'invalid_request'],
    ['a state with a control character', { state: 'a\nb' }, '', 'invalid_request'],
    ['response_mode=fragment', { response_mode: 'fragment' }, '', 'invalid_request'],
    ['a request object', { request: 'eyJ' }, '', 'request_not_supported'],
    ['a bad scope', { scope: 'a  b' }, '', 'invalid_scope'],
  ])('redirects %s back to the client as an error', (_label, over, extra, error) => {
    const r = parse(over, extra);
    expect(r).toMatchObject({ kind: 'error', redirectUri: GOOD.redirect_uri, error });
  });

  it('echoes a valid state with an error, and leaves an invalid one out', () => {
    expect(parse({ response_type: 'token' })).toMatchObject({ state: 'xyz' });
    expect(parse({ response_type: 'token', state: 'a\u0007' })).toMatchObject({ state: undefined });
  });
});

describe('clientRedirect', () => {
  it('adds parameters to the registered URI, keeping its own query', () => {
    expect(clientRedirect('https://a.example/cb?x=1', { code: 'c d', state: 's&t', iss: undefined })).toBe(
      'https://a.example/cb?x=1&code=c+d&state=s%26t',
    );
  });
});
