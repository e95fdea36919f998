/**
 * The admin login (issue 20): `/authorize` + `/token` with authorization code and PKCE S256,
 * the portal login as user step, and the organisation choice. Every rule has a negative test:
 * PKCE (wrong verifier, plain, missing), codes (reused, expired, other client, other redirect),
 * redirect URIs (exact match, no open redirect), state, CSRF on the choice form, persons
 * without the role and organisations they do not administer, and the implicit flow.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { s256 } from '../../src/common/auth/pkce.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { orgNumber, personNumber, uniqueCode } from '../factories/orgs.js';
import { csrfOf, FormClient, grantOrgRoles, textOf } from '../factories/portal-fixtures.js';
import { ADMIN_ORG, registerOwner, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';

const OTHER_CLIENT = 'other-app';
const OTHER_REDIRECT = 'http://127.0.0.1:9/callback';
const LISTS = '/resourceregistry/api/v1/access-lists';

interface Pkce {
  verifier: string;
  challenge: string;
}

function pkce(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

describe('admin login: OAuth2 authorization code + PKCE (issue 20)', () => {
  let t: TestApp;
  let prisma: PrismaService;
  let redirectUri: string;
  let operator: string;
  let owner: TestOwner;
  /** HADM for the owner organisation. */
  let admin: string;

  beforeAll(async () => {
    operator = orgNumber();
    t = await createTestApp({
      env: { PLATFORM_OPERATOR_ORG: operator, OAUTH_PUBLIC_CLIENTS: `${OTHER_CLIENT}|${OTHER_REDIRECT}` },
    });
    prisma = t.app.get(PrismaService);
    redirectUri = `${t.url}/docs/oauth2-redirect.html`;
    owner = await registerOwner(t);
    admin = personNumber();
    await grantOrgRoles(t, owner.orgNumber, admin, ['HADM']);
    await fetch(`${t.url}/admin/v1/organizations/${owner.orgNumber}`, {
      method: 'PUT',
      headers: {
        authorization: await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: { nb: 'Skatteetaten', en: 'Norwegian Tax Administration' } }),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  function authorizePath(p: Record<string, string | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) if (v !== undefined) q.append(k, v);
    return `/authorize?${q.toString()}`;
  }

  function goodParams(challenge: string, extra: Record<string, string | undefined> = {}) {
    return {
      response_type: 'code',
      client_id: 'swagger-ui',
      redirect_uri: redirectUri,
      state: uniqueCode('st-'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
  }

  /** A browser with a portal session for `pid` (dev login). */
  async function loggedIn(pid: string): Promise<FormClient> {
    const c = new FormClient(t.url);
    const form = await c.get('/login');
    const res = await c.post('/login', { pid, _csrf: csrfOf(form.body), returnTo: '/consent/active' });
    expect(res.status).toBe(303);
    return c;
  }

  /** Runs the browser part; returns the redirect back to the client. */
  async function authorize(
    pid: string,
    params: Record<string, string | undefined>,
    org?: string,
  ): Promise<{ location: URL; browser: FormClient }> {
    const browser = await loggedIn(pid);
    const page = await browser.get(authorizePath(params));
    expect(page.status).toBe(200);
    const fields = Object.fromEntries(
      [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2]
          .replace(/&amp;/g, '&')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>'),
      ]),
    );
    const chosen = org ?? /name="org" value="(\d{9})"/.exec(page.body)![1];
    const res = await browser.post('/authorize', { ...fields, org: chosen, decision: 'allow' });
    expect(res.status).toBe(303);
    return { location: new URL(res.location!), browser };
  }

  async function codeFor(pid: string, p: Pkce, extra: Record<string, string | undefined> = {}, org?: string) {
    const params = goodParams(p.challenge, extra);
    const { location } = await authorize(pid, params, org);
    expect(location.searchParams.get('state')).toBe(params.state);
    const code = location.searchParams.get('code');
    expect(code).toBeTruthy();
    return code!;
  }

  function token(fields: Record<string, string>): Promise<Response> {
    return fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  function redeem(code: string, verifier: string, extra: Record<string, string> = {}): Promise<Response> {
    return token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'swagger-ui',
      code_verifier: verifier,
      ...extra,
    });
  }

  async function expectOAuthError(res: Response, status: number, error: string): Promise<void> {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toBe(error);
  }

  describe('the whole flow', () => {
    it('sends a visitor to the portal login and back, shows the organisations by name, and issues a code', async () => {
      const p = pkce();
      const params = goodParams(p.challenge);
      const browser = new FormClient(t.url);
      const first = await browser.get(authorizePath(params));
      expect(first.status).toBe(303);
      const login = new URL(first.location!, t.url);
      expect(login.pathname).toBe('/login');
      const returnTo = login.searchParams.get('returnTo')!;
      expect(returnTo.startsWith('/authorize?')).toBe(true);

      const form = await browser.get(`${login.pathname}${login.search}`);
      const loggedIn = await browser.post('/login', { pid: admin, _csrf: csrfOf(form.body), returnTo });
      expect(loggedIn.status).toBe(303);
      expect(loggedIn.location).toBe(returnTo);

      const choice = await browser.get(returnTo);
      expect(choice.status).toBe(200);
      expect(choice.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(choice.headers.get('cache-control')).toBe('no-store');
      expect(textOf(choice.body)).toContain('Skatteetaten');
      expect(choice.body).toContain(`value="${owner.orgNumber}"`);
    });

    it('exchanges the code for a short-lived token for the organisation, carrying the person, and audits the person', async () => {
      const p = pkce();
      const code = await codeFor(admin, p, {
        scope: 'altinn:resourceregistry/accesslist.write consentgw:admin',
      });
      const res = await redeem(code, p.verifier);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const body = (await res.json()) as {
        access_token: string;
        scope: string;
        expires_in: number;
        token_type: string;
      };
      expect(body.token_type).toBe('Bearer');
      // Intersection: consentgw:admin is not held by this organisation.
      expect(body.scope).toBe('altinn:resourceregistry/accesslist.write');
      expect(body.expires_in).toBeLessThanOrEqual(900);
      const claims = decodeJwt(body.access_token);
      expect(claims.pid).toBe(admin);
      expect(claims.consumer).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${owner.orgNumber}` });
      expect(claims.client_id).toBe('swagger-ui');

      // The token works on the owner's access lists, and the audit names the person.
      const list = uniqueCode('list-');
      const put = await fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${body.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Banker' }),
      });
      expect(put.status).toBe(201);
      const entry = await prisma.auditEntry.findFirst({
        where: { objectType: 'access-list', ownerOrg: owner.orgNumber },
        orderBy: { id: 'desc' },
      });
      expect(entry?.actorPerson).toBe(admin);
      expect(entry?.actorOrg).toBe(owner.orgNumber);
      const issued = await prisma.auditEntry.findFirst({
        where: { action: 'token.issued', objectType: 'admin-login', actorPerson: admin },
      });
      expect(issued).not.toBeNull();
    });

    it('gives the platform operator’s administrators consentgw:admin, and only them', async () => {
      const person = personNumber();
      await grantOrgRoles(t, operator, person, ['ADMAI']);
      const p = pkce();
      const res = await redeem(await codeFor(person, p, { scope: 'consentgw:admin' }), p.verifier);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { scope: string }).scope).toBe('consentgw:admin');

      const q = pkce();
      const other = await redeem(await codeFor(admin, q, { scope: 'consentgw:admin' }), q.verifier);
      await expectOAuthError(other, 400, 'invalid_scope');
    });

    it('gives consentgw:admin only when asked for by name, not to a request without a scope (red team RT2)', async () => {
      const person = personNumber();
      await grantOrgRoles(t, operator, person, ['ADMAI']);
      const p = pkce();
      const res = await redeem(await codeFor(person, p, { scope: undefined }), p.verifier);
      expect(res.status).toBe(200);
      const granted = ((await res.json()) as { scope: string }).scope.split(' ');
      expect(granted).toContain('altinn:consentrequests.read'); // what any organisation holds
      expect(granted).not.toContain('consentgw:admin');
    });

    it('lets the person cancel: access_denied with the state, and no code', async () => {
      const p = pkce();
      const params = goodParams(p.challenge);
      const browser = await loggedIn(admin);
      const page = await browser.get(authorizePath(params));
      const res = await browser.post('/authorize', { ...params, _csrf: csrfOf(page.body), decision: 'deny' });
      expect(res.status).toBe(303);
      const back = new URL(res.location!);
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('state')).toBe(params.state);
      expect(back.searchParams.has('code')).toBe(false);
    });

    it('publishes the endpoint in the authorization server metadata', async () => {
      const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<
        string,
        unknown
      >;
      expect(meta.authorization_endpoint).toBe(`${t.url}/authorize`);
      expect(meta.code_challenge_methods_supported).toEqual(['S256']);
      expect(meta.response_types_supported).toEqual(['code']);
      expect(meta.grant_types_supported).toContain('authorization_code');
    });
  });

  describe('PKCE', () => {
    it('refuses a wrong verifier, and the code is used up by the attempt', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      await expectOAuthError(await redeem(code, pkce().verifier), 400, 'invalid_grant');
      await expectOAuthError(await redeem(code, p.verifier), 400, 'invalid_grant');
      const refused = await prisma.auditEntry.findMany({
        where: { action: 'token.refused', objectType: 'admin-login', actorPerson: admin },
      });
      expect(refused.map((r) => (r.after as { reason: string }).reason)).toContain('pkce_mismatch');
    });

    it('refuses the verifier itself sent as if it were plain (challenge = verifier)', async () => {
      const p = pkce();
      const code = await codeFor(admin, { verifier: p.verifier, challenge: s256(p.verifier) });
      await expectOAuthError(await redeem(code, p.challenge), 400, 'invalid_grant');
    });

    it.each([
      ['plain', { code_challenge_method: 'plain' }],
      ['a missing method', { code_challenge_method: undefined }],
      ['a missing challenge', { code_challenge: undefined }],
      ['a short challenge', { code_challenge: 'abc' }],
    ])('refuses %s with invalid_request at the redirect URI, before any login', async (_label, extra) => {
      const params = goodParams(pkce().challenge, extra);
      const res = await new FormClient(t.url).get(authorizePath(params));
      expect(res.status).toBe(303);
      const back = new URL(res.location!);
      expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe(params.state);
      expect(back.searchParams.has('code')).toBe(false);
    });

    it('refuses a token request without code_verifier, or with a malformed one', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      const res = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: 'swagger-ui',
      });
      await expectOAuthError(res, 400, 'invalid_request');
      await expectOAuthError(await redeem(code, 'short'), 400, 'invalid_request');
    });
  });

  describe('codes', () => {
    it('works once: a reused code is invalid_grant', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      expect((await redeem(code, p.verifier)).status).toBe(200);
      await expectOAuthError(await redeem(code, p.verifier), 400, 'invalid_grant');
    });

    it('works once under concurrency: of two simultaneous redemptions one succeeds', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      const statuses = (await Promise.all([redeem(code, p.verifier), redeem(code, p.verifier)])).map(
        (r) => r.status,
      );
      expect(statuses.sort()).toEqual([200, 400]);
    });

    it('expires: a code past its 60 s is invalid_grant', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      await prisma.authorizationCode.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
      await expectOAuthError(await redeem(code, p.verifier), 400, 'invalid_grant');
    });

    it('is bound to its client: another client cannot redeem it (code injection)', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      const res = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: OTHER_REDIRECT,
        client_id: OTHER_CLIENT,
        code_verifier: p.verifier,
      });
      await expectOAuthError(res, 400, 'invalid_grant');
    });

    it('is bound to its redirect URI', async () => {
      const p = pkce();
      const code = await codeFor(admin, p);
      await expectOAuthError(
        await redeem(code, p.verifier, { redirect_uri: `${redirectUri}?x=1` }),
        400,
        'invalid_grant',
      );
    });

    it('refuses an unknown code, an unknown client and a repeated parameter', async () => {
      await expectOAuthError(await redeem('made-up', pkce().verifier), 400, 'invalid_grant');
      await expectOAuthError(
        await redeem('made-up', pkce().verifier, { client_id: 'nobody' }),
        401,
        'invalid_client',
      );
      const res = await fetch(`${t.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=a&code=b&redirect_uri=${encodeURIComponent(redirectUri)}&client_id=swagger-ui&code_verifier=${pkce().verifier}`,
      });
      await expectOAuthError(res, 400, 'invalid_request');
    });

    it('is refused when the person lost the role after the code was issued', async () => {
      const person = personNumber();
      await grantOrgRoles(t, owner.orgNumber, person, ['HADM']);
      const p = pkce();
      const code = await codeFor(person, p);
      await grantOrgRoles(t, owner.orgNumber, person, ['REGN']);
      await expectOAuthError(await redeem(code, p.verifier), 400, 'invalid_grant');
    });
  });

  describe('redirect URIs: exact match, never an open redirect', () => {
    it.each([
      ['another host', 'https://evil.example/docs/oauth2-redirect.html'],
      ['a suffix', 'SUFFIX'],
      ['a query added', 'QUERY'],
      ['a fragment added', 'FRAGMENT'],
      ['a different case', 'CASE'],
      ['a path traversal', 'TRAVERSAL'],
      ['another client’s URI', OTHER_REDIRECT],
      ['none at all', undefined],
    ])('shows an error page for %s, without a Location', async (_label, variant) => {
      const uri =
        variant === 'SUFFIX'
          ? `${redirectUri}x`
          : variant === 'QUERY'
            ? `${redirectUri}?next=https://evil.example`
            : variant === 'FRAGMENT'
              ? `${redirectUri}#x`
              : variant === 'CASE'
                ? redirectUri.replace('oauth2', 'OAuth2')
                : variant === 'TRAVERSAL'
                  ? `${t.url}/docs/../evil/oauth2-redirect.html`
                  : variant;
      const browser = await loggedIn(admin);
      const res = await browser.get(authorizePath(goodParams(pkce().challenge, { redirect_uri: uri })));
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
    });

    it('shows an error page for an unknown or repeated client_id, never redirecting', async () => {
      const unknown = await new FormClient(t.url).get(
        authorizePath(goodParams(pkce().challenge, { client_id: 'evil' })),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.location).toBeNull();
      const repeated = await new FormClient(t.url).get(
        `${authorizePath(goodParams(pkce().challenge))}&client_id=${OTHER_CLIENT}`,
      );
      expect(repeated.status).toBe(400);
      expect(repeated.location).toBeNull();
    });

    it('refuses the same checks on the POST of the choice form (a forged form cannot change the URI)', async () => {
      const browser = await loggedIn(admin);
      const params = goodParams(pkce().challenge);
      const page = await browser.get(authorizePath(params));
      const res = await browser.post('/authorize', {
        ...params,
        redirect_uri: 'https://evil.example/cb',
        _csrf: csrfOf(page.body),
        org: owner.orgNumber,
        decision: 'allow',
      });
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
    });
  });

  describe('response types and state', () => {
    it.each([['token'], ['id_token token'], ['code token']])(
      'refuses response_type=%s (no implicit or hybrid flow) with unsupported_response_type',
      async (responseType) => {
        const params = goodParams(pkce().challenge, { response_type: responseType });
        const res = await (await loggedIn(admin)).get(authorizePath(params));
        expect(res.status).toBe(303);
        const back = new URL(res.location!);
        expect(back.searchParams.get('error')).toBe('unsupported_response_type');
        expect(back.hash).toBe('');
        expect(back.searchParams.has('access_token')).toBe(false);
        expect(back.searchParams.has('code')).toBe(false);
      },
    );

    it('requires state, and echoes it exactly', async () => {
      const missing = await new FormClient(t.url).get(
        authorizePath(goodParams(pkce().challenge, { state: undefined })),
      );
      const back = new URL(missing.location!);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.has('state')).toBe(false);

      const odd = 'a b&c=d/é'.replace('é', 'e') + '<"\'>';
      const p = pkce();
      const params = goodParams(p.challenge, { state: odd });
      const { location } = await authorize(admin, params);
      expect(location.searchParams.get('state')).toBe(odd);
      expect(location.searchParams.get('iss')).toBe(`${t.url}/`);
    });

    it('refuses request objects and response modes other than query', async () => {
      for (const extra of [{ request: 'eyJ' }, { response_mode: 'fragment' }]) {
        const res = await new FormClient(t.url).get(authorizePath(goodParams(pkce().challenge, extra)));
        expect(res.status).toBe(303);
        expect(new URL(res.location!).searchParams.get('error')).toMatch(
          /invalid_request|request_not_supported/,
        );
      }
    });
  });

  describe('who may act for which organisation', () => {
    it('refuses a person without an administrator role with a clear 403 page (DAGL is not enough)', async () => {
      const person = personNumber();
      await grantOrgRoles(t, owner.orgNumber, person, ['DAGL']);
      const res = await (await loggedIn(person)).get(authorizePath(goodParams(pkce().challenge)));
      expect(res.status).toBe(403);
      expect(res.location).toBeNull();
      expect(textOf(res.body)).toContain('Du er ikke administrator for noen virksomhet');
      expect(textOf(res.body)).toContain('HADM');
    });

    it('refuses an organisation the person does not administer, issuing no code', async () => {
      const other = orgNumber();
      const before = await prisma.authorizationCode.count();
      const browser = await loggedIn(admin);
      const params = goodParams(pkce().challenge);
      const page = await browser.get(authorizePath(params));
      expect(page.body).not.toContain(`value="${other}"`);
      const res = await browser.post('/authorize', {
        ...params,
        _csrf: csrfOf(page.body),
        org: other,
        decision: 'allow',
      });
      expect(res.status).toBe(403);
      expect(res.location).toBeNull();
      expect(textOf(res.body)).toContain('Du kan ikke handle for denne virksomheten');
      expect(await prisma.authorizationCode.count()).toBe(before);
    });

    it('refuses a choice form without the session’s CSRF token (or with another session’s)', async () => {
      const params = goodParams(pkce().challenge);
      const victim = await loggedIn(admin);
      const attacker = await loggedIn(admin);
      const attackerPage = await attacker.get(authorizePath(params));
      const before = await prisma.authorizationCode.count();
      for (const csrf of [undefined, 'forged', csrfOf(attackerPage.body)]) {
        const res = await victim.post('/authorize', {
          ...params,
          _csrf: csrf,
          org: owner.orgNumber,
          decision: 'allow',
        });
        expect(res.status).toBe(403);
        expect(res.location).toBeNull();
      }
      expect(await prisma.authorizationCode.count()).toBe(before);
    });

    it('sends a POST without a session to the login, issuing no code', async () => {
      const params = goodParams(pkce().challenge);
      const res = await new FormClient(t.url).post('/authorize', {
        ...params,
        org: owner.orgNumber,
        decision: 'allow',
      });
      expect(res.status).toBe(303);
      expect(res.location?.startsWith('/login?')).toBe(true);
    });
  });
});
