/**
 * Why a token was refused (issue 19): every refusal's log line carries the failed check as
 * `reason` (never the token); outside production the problem detail names the check, in
 * production it stays the one generic sentence. `/token` names the failed assertion check in
 * `error_description` as Maskinporten does, except client, key and signature (and unknown vs
 * foreign consents), which only development tells apart.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { TokenSignerService } from '../../src/tokens/token-signer.service.js';
import { createTestApp, productionEnv, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { ADMIN_ORG } from '../factories/registry.js';
import { generateClientKey, JWT_BEARER, postToken, signAssertion } from '../factories/token-fixtures.js';
import { tokenWorld, type TokenWorld } from '../factories/token-world.js';

type Line = Record<string, unknown>;

interface Env {
  t: TestApp;
  tokens: TokenWorld;
  raw: string[];
}

let dev: Env;
let prod: Env;
let prodDb: DatabaseConnection;

async function boot(env: Record<string, string>, db?: DatabaseConnection): Promise<Env> {
  const raw: string[] = [];
  const t = await createTestApp({
    db,
    env: { LOG_LEVEL: 'info', ...env },
    logDestination: { write: (s: string) => void raw.push(...s.split('\n').filter(Boolean)) },
  });
  return { t, raw, tokens: await tokenWorld(t) };
}

beforeAll(async () => {
  dev = await boot({});
  prodDb = await createTestDatabase();
  prod = await boot(productionEnv(prodDb), prodDb);
});

afterAll(async () => {
  await dev?.t.close();
  await prod?.t.close();
  await prodDb?.stop();
});

/** A token signed by the app's own key, with these claims overridden. */
async function tokenWith(e: Env, claims: Record<string, unknown>): Promise<string> {
  const { token } = await e.t.app.get(TokenSignerService).sign({
    consumer: ADMIN_ORG,
    scope: 'consentgw:admin',
    clientId: 'c',
    extraClaims: claims,
  });
  return token;
}

/** GET an admin list with the token; returns the problem and the request's log line. */
async function refused(
  e: Env,
  token: string,
): Promise<{ detail: string; code: string; line: Line; text: string }> {
  const reqId = `test-${randomUUID()}`;
  const res = await fetch(`${e.t.url}/admin/v1/owners`, {
    headers: { authorization: `Bearer ${token}`, 'x-request-id': reqId },
  });
  expect(res.status).toBe(401);
  const body = (await res.json()) as { detail: string; code: string };
  let line: Line | undefined;
  for (let i = 0; i < 100 && !line; i++) {
    line = e.raw.map((l) => JSON.parse(l) as Line).find((l) => l.reqId === reqId && l.msg === 'request');
    if (!line) await new Promise((r) => setTimeout(r, 20));
  }
  return { ...body, line: line!, text: e.raw.join('\n') };
}

describe('a refused bearer token', () => {
  it('from an issuer this server does not trust: the detail names the issuer and the trusted ones', async () => {
    const token = await tokenWith(dev, { iss: 'http://localhost:8080/' });
    const r = await refused(dev, token);
    expect(r.code).toBe('AUTH-00401');
    expect(r.detail).toBe(
      `The access token is invalid: its issuer (iss) "http://localhost:8080/" is not trusted here; trusted: "${dev.t.url}/". ` +
        "A token from `npm run token` must be minted with this server's PUBLIC_URL.",
    );
    expect(r.line).toMatchObject({ status: 401, code: 'AUTH-00401', reason: 'issuer' });
    expect(r.text).not.toContain(token);
  });

  it('that has expired: the detail says when, against the server clock', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await refused(dev, await tokenWith(dev, { iat: now - 600, exp: now - 300 }));
    expect(r.detail).toMatch(
      new RegExp(
        `^The access token is invalid: it expired at ${new Date((now - 300) * 1000).toISOString().replace(/\./g, '\\.')} \\(server time .+, leeway \\d+ s\\)\\.$`,
      ),
    );
    expect(r.line).toMatchObject({ reason: 'expired' });
  });

  it('whose signature does not verify: the detail names the key', async () => {
    const token = await tokenWith(dev, {});
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(256, 1).toString('base64url')}`;
    const kid = (JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid;
    const r = await refused(dev, forged);
    expect(r.detail).toBe(
      `The access token is invalid: its signature does not verify with the issuer's key "${kid}".`,
    );
    expect(r.line).toMatchObject({ reason: 'signature' });
  });

  it('in production: the one generic detail, and the reason in the log line only', async () => {
    const token = await tokenWith(prod, { iss: 'http://localhost:8080/' });
    const r = await refused(prod, token);
    expect(r.detail).toBe('The access token is invalid.');
    expect(r.line).toMatchObject({ status: 401, code: 'AUTH-00401', reason: 'issuer' });
    expect(r.text).not.toContain(token);
  });
});

describe('a refused token request (POST /token)', () => {
  async function description(
    e: Env,
    assertion: string,
  ): Promise<{ error: string; error_description: string }> {
    const res = await postToken(e.t, { grant_type: JWT_BEARER, assertion });
    return res.body as { error: string; error_description: string };
  }

  it('names the failed assertion check in every environment', async () => {
    for (const e of [dev, prod]) {
      const now = Math.floor(Date.now() / 1000);
      const c = e.tokens.client;
      expect(
        await description(e, await signAssertion(e.t, c, { claims: { aud: 'https://maskinporten.no/' } })),
      ).toEqual({
        error: 'invalid_grant',
        error_description: `Invalid assertion. aud must be this issuer's identifier, "${e.t.url}/".`,
      });
      expect(
        await description(e, await signAssertion(e.t, c, { claims: { iat: now, exp: now + 600 } })),
      ).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid assertion. exp must be after iat and at most 120 seconds after it.',
      });
      expect(
        await description(e, await signAssertion(e.t, c, { claims: { iat: now - 100, exp: now - 1 } })),
      ).toEqual({
        error: 'invalid_grant',
        error_description: "Invalid assertion. iat must be within 10 seconds of the server's clock (UTC).",
      });
      const first = await signAssertion(e.t, c);
      await description(e, first);
      expect(await description(e, first)).toEqual({
        error: 'invalid_grant',
        error_description:
          'Invalid assertion. Its jti has been used before; sign a new assertion for every token request.',
      });
    }
  });

  it('tells an unknown key from a bad signature only outside production', async () => {
    const other = await generateClientKey('RS256');
    for (const [e, unknownKid, badSignature] of [
      [
        dev,
        'Invalid assertion. Client authentication failed: the client has no registered key with that kid.',
        "Invalid assertion. Client authentication failed: the signature does not verify with the client's key.",
      ],
      [
        prod,
        'Invalid assertion. Client authentication failed.',
        'Invalid assertion. Client authentication failed.',
      ],
    ] as const) {
      const c = e.tokens.client;
      expect(await description(e, await signAssertion(e.t, c, { header: { kid: 'no-such-kid' } }))).toEqual({
        error: 'invalid_client',
        error_description: unknownKid,
      });
      expect(
        await description(e, await signAssertion(e.t, c, { key: { ...other, kid: c.key.kid } })),
      ).toEqual({
        error: 'invalid_client',
        error_description: badSignature,
      });
    }
  });
});
