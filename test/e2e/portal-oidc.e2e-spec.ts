import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createTestApp, freePort, type TestApp } from '../helpers/app.js';
import { consentBody, consentWorld, createConsent, personUrnOf, sql } from '../factories/consent-fixtures.js';
import { personNumber } from '../factories/orgs.js';
import { CookieJar, FormClient, type PageResult } from '../factories/portal-fixtures.js';

/**
 * OpenID Connect login (DESIGN §4.8, §10) against a real local provider from npm
 * (`oidc-provider`), configured like ID-porten: code flow, PKCE, client_secret_basic, `acr_values`,
 * and the national identity number in the ID token's `pid` claim.
 */

const CLIENT_ID = 'consent-portal';
const CLIENT_SECRET = 'a-long-test-client-secret-for-the-portal';
const ACR = 'idporten-loa-substantial';

/** oidc-provider ships no type declarations; the little we use of it. */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ prompt: { name: string } }>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: unknown,
    options?: unknown,
  ): Promise<void>;
  Grant: new (o: { accountId: string; clientId: string }) => {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
}

let t: TestApp;
let idp: Server;
let issuer: string;
/** The account the provider logs in next (its `pid` claim is looked up here). */
let nextAccount = 'alice';
const pids = new Map<string, unknown>();

beforeAll(async () => {
  const idpPort = await freePort();
  issuer = `http://127.0.0.1:${idpPort}`;
  t = await createTestApp({
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ACR_VALUES: ACR,
    },
  });
  const spec = 'oidc-provider';
  const { default: Provider } = (await import(spec)) as {
    default: new (issuer: string, config: unknown) => OidcProvider;
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${t.url}/login/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    acrValues: [ACR],
    claims: { openid: ['sub', 'pid'] },
    // ID-porten puts `pid` in the ID token of the code flow.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, pid: pids.get(sub) }),
    }),
    // The test user always consents: no consent screen.
    loadExistingGrant: async (ctx: {
      oidc: { client: { clientId: string }; session: { accountId: string } };
    }) => {
      const grant = new provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  idp = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      // The login screen: log in `nextAccount` at once.
      provider
        .interactionDetails(req, res)
        .then(() =>
          provider.interactionFinished(
            req,
            res,
            { login: { accountId: nextAccount } },
            { mergeWithLastSubmission: false },
          ),
        )
        .catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => (idp ? idp.close(resolve) : resolve(undefined)));
  await t?.close();
});

/** Follows the provider's redirects (with its own cookies) until it sends the browser back to us. */
async function throughProvider(authorizeUrl: string): Promise<string> {
  const jar = new CookieJar();
  let url = authorizeUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(t.url)) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res.headers);
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider stopped at ${url}: ${res.status} ${await res.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects at the provider');
}

async function startLogin(c: FormClient, returnTo = '/consent/active'): Promise<PageResult> {
  const res = await c.get(`/login/oidc?returnTo=${encodeURIComponent(returnTo)}&lang=en`);
  expect(res.status).toBe(303);
  return res;
}

describe('OpenID Connect login', () => {
  it('logs in through the provider with code + PKCE + state + nonce and takes the person from the pid claim', async () => {
    const pid = personNumber();
    pids.set('alice', pid);
    nextAccount = 'alice';
    const c = new FormClient(t.url);

    // The login page offers the provider next to the development form.
    const loginPage = await c.get('/login?returnTo=%2Fconsent%2Factive&lang=en');
    expect(loginPage.body).toContain('href="/login/oidc?returnTo=%2Fconsent%2Factive&amp;lang=en"');

    const start = await startLogin(c);
    const authorize = new URL(start.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${issuer}/auth`);
    const q = Object.fromEntries(authorize.searchParams);
    expect(q).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: `${t.url}/login/callback`,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      acr_values: ACR,
      ui_locales: 'en',
    });
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Pending login lives in the pre-session row, not in the browser.
    const [row] = await sql(t, "SELECT oidc FROM portal_sessions WHERE oidc->>'state' = $1", [q.state]);
    expect(row.oidc).toMatchObject({
      state: q.state,
      nonce: q.nonce,
      returnTo: '/consent/active',
      lang: 'en',
    });
    expect(row.oidc.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    const callback = await throughProvider(start.location!);
    expect(callback).toMatch(new RegExp(`^${t.url}/login/callback\\?code=`));
    const done = await c.get(callback);
    expect({ status: done.status, location: done.location }).toEqual({
      status: 303,
      location: '/consent/active',
    });
    const page = await c.get('/consent/active?lang=en');
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      `Logged in as <span class="nowrap">${pid.slice(0, 6)} ${pid.slice(6)}</span>`,
    );

    // The pending login is gone: the same callback cannot be used again.
    const [after] = await sql(t, "SELECT count(*)::int AS n FROM portal_sessions WHERE oidc->>'state' = $1", [
      q.state,
    ]);
    expect(after.n).toBe(0);
    const replay = await c.get(callback);
    expect(replay.status).toBe(400);
  });

  it('brings the person back to the consent request they came for', async () => {
    const pid = personNumber();
    pids.set('bob', pid);
    nextAccount = 'bob';
    const w = await consentWorld(t);
    const consent = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const c = new FormClient(t.url);
    const first = await c.get(`/consent/request?id=${consent.id}`);
    expect(first.status).toBe(303);
    const start = await startLogin(c, `/consent/request?id=${consent.id}`);
    const done = await c.get(await throughProvider(start.location!));
    expect(done.location).toBe(`/consent/request?id=${consent.id}`);
    const page = await c.get(done.location!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('>Godta</button>');
  });

  it('refuses a callback whose state does not match, and logs nobody in', async () => {
    pids.set('carol', personNumber());
    nextAccount = 'carol';
    const c = new FormClient(t.url);
    const start = await startLogin(c);
    const callback = new URL(await throughProvider(start.location!));
    callback.searchParams.set('state', 'forged-state-value-0000000000');
    const res = await c.get(callback.pathname + callback.search);
    expect(res.status).toBe(400);
    expect(res.body).toContain('<h1>Login failed</h1>');
    expect((await c.get('/consent/active')).status).toBe(303);
  });

  it('refuses a callback arriving in another browser (no pre-session with the pending login)', async () => {
    pids.set('dave', personNumber());
    nextAccount = 'dave';
    const victim = new FormClient(t.url);
    const start = await startLogin(victim);
    const callback = await throughProvider(start.location!);
    const attacker = new FormClient(t.url);
    const res = await attacker.get(callback);
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie().filter((s) => s.startsWith('consentgw_session='))).toEqual([]);
  });

  it('refuses an ID token without a valid pid claim', async () => {
    pids.set('erin', '02013299996');
    nextAccount = 'erin';
    const c = new FormClient(t.url);
    const start = await startLogin(c);
    const res = await c.get(await throughProvider(start.location!));
    expect(res.status).toBe(400);
    expect((await c.get('/consent/active')).status).toBe(303);
  });

  it('shows a login failure when the provider answers with an error', async () => {
    const c = new FormClient(t.url);
    const start = await startLogin(c);
    const state = new URL(start.location!).searchParams.get('state')!;
    const res = await c.get(
      `/login/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer)}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('<h1>Login failed</h1>');
  });
});
