import { describe, expect, it } from '@jest/globals';
import { OAuthError } from './oauth-error.js';
import { JWT_BEARER_GRANT, parseTokenForm, resolveGrantParameters, type TokenForm } from './token-request.js';

const PERSON = 'urn:altinn:person:identifier-no:25922947409';
const CONSENT_ID = 'f70542a8-d97a-40a8-9ef7-221603ffd5e6';
const detail = (over: Record<string, unknown> = {}) => [
  { type: 'urn:altinn:consent', id: CONSENT_ID, from: PERSON, ...over },
];

function oauthError(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected an OAuthError');
}

const form = (over: Partial<TokenForm> = {}): TokenForm => ({ assertion: 'x.y.z', ...over });

describe('parseTokenForm', () => {
  it('accepts the jwt-bearer grant with an assertion and ignores unknown parameters', () => {
    const f = parseTokenForm({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'a.b.c',
      client_id: 'ignored',
      foo: 'bar',
    });
    expect(f).toEqual({
      assertion: 'a.b.c',
      scope: undefined,
      resource: undefined,
      consumerOrg: undefined,
      authorizationDetails: undefined,
    });
  });

  it('refuses a missing grant_type as invalid_request and another grant type as unsupported_grant_type', () => {
    expect(oauthError(() => parseTokenForm({ assertion: 'a.b.c' })).error).toBe('invalid_request');
    expect(
      oauthError(() => parseTokenForm({ grant_type: 'client_credentials', assertion: 'a.b.c' })).error,
    ).toBe('unsupported_grant_type');
  });

  it('refuses a missing or empty assertion and a body that is not a form', () => {
    expect(oauthError(() => parseTokenForm({ grant_type: JWT_BEARER_GRANT })).error).toBe('invalid_request');
    expect(oauthError(() => parseTokenForm({ grant_type: JWT_BEARER_GRANT, assertion: '' })).error).toBe(
      'invalid_request',
    );
    expect(oauthError(() => parseTokenForm(undefined)).error).toBe('invalid_request');
    expect(oauthError(() => parseTokenForm('grant_type=x')).error).toBe('invalid_request');
  });

  it('refuses repeated parameters except resource, which may repeat (RFC 8707)', () => {
    expect(
      oauthError(() => parseTokenForm({ grant_type: JWT_BEARER_GRANT, assertion: ['a', 'b'] })).error,
    ).toBe('invalid_request');
    const f = parseTokenForm({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'a',
      resource: ['https://a/', 'https://b/'],
    });
    expect(f.resource).toEqual(['https://a/', 'https://b/']);
  });

  it('parses authorization_details as strict JSON and refuses bad JSON as invalid_authorization_details', () => {
    const f = parseTokenForm({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'a',
      authorization_details: JSON.stringify(detail()),
    });
    expect(f.authorizationDetails).toEqual(detail());
    for (const bad of ['[{', '{"a":1,"a":2}', 'not json'])
      expect(
        oauthError(() =>
          parseTokenForm({ grant_type: JWT_BEARER_GRANT, assertion: 'a', authorization_details: bad }),
        ).error,
      ).toBe('invalid_authorization_details');
  });
});

describe('resolveGrantParameters', () => {
  it('takes scope, resource, consumer_org and authorization_details from the assertion claims', () => {
    const p = resolveGrantParameters(form(), {
      scope: 'skd:inntekt skd:formue skd:inntekt',
      resource: 'https://api.example.no/inntekt',
      consumer_org: '991825827',
      authorization_details: detail(),
    });
    expect(p).toEqual({
      scopes: ['skd:inntekt', 'skd:formue'],
      audience: 'https://api.example.no/inntekt',
      consumerOrg: '991825827',
      consent: { id: CONSENT_ID, from: PERSON },
    });
  });

  it('takes the same parameters from the form, and several resources become an audience array', () => {
    const p = resolveGrantParameters(
      form({
        scope: 'skd:inntekt',
        resource: ['https://a.example/', 'https://b.example/'],
        consumerOrg: '991825827',
      }),
      {},
    );
    expect(p.audience).toEqual(['https://a.example/', 'https://b.example/']);
    expect(p.consumerOrg).toBe('991825827');
  });

  it('accepts a parameter given identically in both places and refuses a contradiction as invalid_request', () => {
    expect(resolveGrantParameters(form({ scope: 'a:b' }), { scope: 'a:b' }).scopes).toEqual(['a:b']);
    expect(oauthError(() => resolveGrantParameters(form({ scope: 'a:b' }), { scope: 'a:c' })).error).toBe(
      'invalid_request',
    );
    expect(
      oauthError(() =>
        resolveGrantParameters(form({ scope: 'a:b', authorizationDetails: detail() }), {
          authorization_details: detail({ from: 'urn:altinn:person:identifier-no:02013299997' }),
        }),
      ).error,
    ).toBe('invalid_request');
  });

  it('requires a scope (invalid_request) and refuses malformed scope strings (invalid_scope)', () => {
    expect(oauthError(() => resolveGrantParameters(form(), {})).error).toBe('invalid_request');
    expect(oauthError(() => resolveGrantParameters(form({ scope: '  ' }), {})).error).toBe('invalid_request');
    for (const bad of ['a:b  c:d', ' a:b', 'a:b\tc:d', 'a"b', 'æ:ø'])
      expect(oauthError(() => resolveGrantParameters(form({ scope: bad }), {})).error).toBe('invalid_scope');
    expect(oauthError(() => resolveGrantParameters(form(), { scope: 42 })).error).toBe('invalid_scope');
  });

  it('refuses resources that are not absolute URIs or carry a fragment (invalid_target)', () => {
    for (const bad of ['relative/path', 'https://a.example/#frag', ''])
      expect(
        oauthError(() => resolveGrantParameters(form({ scope: 'a:b', resource: [bad] }), {})).error,
      ).toBe('invalid_target');
    expect(oauthError(() => resolveGrantParameters(form({ scope: 'a:b' }), { resource: 7 })).error).toBe(
      'invalid_target',
    );
  });

  it('refuses a consumer_org that is not a checksum-valid organisation number', () => {
    for (const bad of ['991825828', '12345678', 'abc'])
      expect(
        oauthError(() => resolveGrantParameters(form({ scope: 'a:b', consumerOrg: bad }), {})).error,
      ).toBe('invalid_request');
  });

  it('refuses zero, several or mistyped consent details as invalid_authorization_details', () => {
    const bad: unknown[] = [
      [],
      [...detail(), ...detail()],
      detail({ type: 'urn:altinn:other' }),
      detail({ id: 'not-a-uuid' }),
      detail({ from: 'urn:altinn:person:identifier-no:02013299996' }),
      detail()[0],
      ['x'],
    ];
    for (const d of bad)
      expect(
        oauthError(() => resolveGrantParameters(form({ scope: 'a:b' }), { authorization_details: d })).error,
      ).toBe('invalid_authorization_details');
  });

  it('accepts Altinn ids that are not RFC 4122 variants and lowercases them', () => {
    const p = resolveGrantParameters(form({ scope: 'a:b' }), {
      authorization_details: detail({ id: 'A005E4E7-78B3-42B4-CE69-DC68CC5349EB' }),
    });
    expect(p.consent?.id).toBe('a005e4e7-78b3-42b4-ce69-dc68cc5349eb');
  });
});
