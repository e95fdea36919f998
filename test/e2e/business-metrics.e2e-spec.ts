/**
 * The business metrics of a running app (docs/operations.md, "Metrics"): consent transitions as
 * they are written, token requests by outcome, read back from `GET /metrics` as Prometheus
 * would scrape them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  CONSENT_PATH,
  consentBody,
  consentWorld,
  createConsent,
  expiredInDb,
  http,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { JWT_BEARER, postToken, requestToken, signAssertion } from '../factories/token-fixtures.js';
import { tokenWorld, type TokenWorld } from '../factories/token-world.js';

let t: TestApp;
let world: ConsentWorld;
let tokens: TokenWorld;

beforeAll(async () => {
  t = await createTestApp();
  world = await consentWorld(t);
  tokens = await tokenWorld(t);
});

afterAll(async () => {
  await t?.close();
});

/** The value of one series in `GET /metrics` (0 when it is not there yet). */
async function series(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('consent_transitions_total', () => {
  it('counts a created consent, and its expiry when the sweeper writes it', async () => {
    const created = await series('consent_transitions_total', 'transition="created"');
    const expired = await series('consent_transitions_total', 'transition="expired"');
    const consent = await createConsent(
      t,
      world.consumer.auth,
      consentBody({ to: world.consumer.org, resource: world.resource }),
    );
    expect(await series('consent_transitions_total', 'transition="created"')).toBe(created + 1);

    await sql(t, "UPDATE consent_requests SET valid_to = now() - interval '1 second' WHERE id = $1", [
      consent.id,
    ]);
    await expiredInDb(t, consent.id as string);
    expect(await series('consent_transitions_total', 'transition="expired"')).toBe(expired + 1);
  });

  it('does not count a create that was refused', async () => {
    const created = await series('consent_transitions_total', 'transition="created"');
    const bad = consentBody({ to: world.consumer.org, resource: 'no-such-resource' });
    const res = await http(t, 'POST', CONSENT_PATH, world.consumer.auth, bad);
    expect(res.status).toBe(400);
    expect(await series('consent_transitions_total', 'transition="created"')).toBe(created);
  });
});

describe('token_requests_total', () => {
  it('counts issued tokens and each refusal by its OAuth error, malformed requests included', async () => {
    const before = {
      issued: await series('token_requests_total', 'outcome="issued"'),
      grant: await series('token_requests_total', 'outcome="invalid_grant"'),
      request: await series('token_requests_total', 'outcome="invalid_request"'),
    };
    expect((await requestToken(t, tokens.client)).status).toBe(200);
    const wrongAud = await signAssertion(t, tokens.client, { claims: { aud: 'https://elsewhere.example/' } });
    expect((await postToken(t, { grant_type: JWT_BEARER, assertion: wrongAud })).status).toBe(400);
    expect((await postToken(t, { grant_type: JWT_BEARER })).status).toBe(400);
    expect(await series('token_requests_total', 'outcome="issued"')).toBe(before.issued + 1);
    expect(await series('token_requests_total', 'outcome="invalid_grant"')).toBe(before.grant + 1);
    expect(await series('token_requests_total', 'outcome="invalid_request"')).toBe(before.request + 1);
  });
});
