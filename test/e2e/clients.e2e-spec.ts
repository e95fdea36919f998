import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientsService } from '../../src/clients/clients.service.js';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ChangeBus, type ChangeEvent } from '../../src/common/events/change-bus.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { http } from '../factories/consent-fixtures.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import { expectProblemStatus } from '../factories/problems.js';

/**
 * Client registry (DESIGN §4.4, §10): Maskinporten DCR shapes, the caller's org owns its
 * clients, public keys only — over real HTTP, real database, real keys.
 */

let t: TestApp;
let prisma: PrismaService;
/** An active owner scope and an inactive one, created through the scopes API. */
let scope: string;
let otherScope: string;
let inactiveScope: string;

const call = (method: string, path: string, auth?: string, body?: unknown) =>
  http(t, method, path, auth, body);

const dcr = (org: string) => bearer(t, { org, scope: [Scopes.dcrRead, Scopes.dcrWrite] });

function rsaJwk(kid: string, bits = 2048): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

function ecJwk(kid: string): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid };
}

/** A fresh org with one client holding `scope`. */
async function orgWithClient(): Promise<{ org: string; auth: string; clientId: string }> {
  const org = orgNumber();
  const auth = await dcr(org);
  const res = await call('POST', '/api/v1/clients', auth, {
    client_name: 'Bank integration',
    scopes: [scope],
    integration_type: 'maskinporten',
    token_endpoint_auth_method: 'private_key_jwt',
  });
  expect(res.status).toBe(201);
  return { org, auth, clientId: res.body.client_id };
}

beforeAll(async () => {
  t = await createTestApp();
  prisma = t.app.get(PrismaService);
  const owner = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite] });
  const prefix = uniqueCode('c').slice(0, 30);
  for (const [sub, active] of [
    ['data', true],
    ['more', true],
    ['old', false],
  ] as const) {
    const res = await call('POST', '/api/v1/scopes', owner, {
      prefix,
      subscope: sub,
      description: sub,
      active,
    });
    expect(res.status).toBe(201);
  }
  scope = `${prefix}:data`;
  otherScope = `${prefix}:more`;
  inactiveScope = `${prefix}:old`;
});

afterAll(async () => {
  await t?.close();
});

describe('clients', () => {
  it('registers a client (Maskinporten DCR body) with a Location, an audit row and a change event', async () => {
    const events: ChangeEvent[] = [];
    t.app.get(ChangeBus).subscribe((e) => events.push(e));
    const org = orgNumber();
    const res = await call('POST', '/api/v1/clients', await dcr(org), {
      client_name: 'Lånesøknad',
      description: 'Henter inntekt',
      scopes: [scope, Scopes.consentRequestsWrite],
      integration_type: 'maskinporten',
      token_endpoint_auth_method: 'private_key_jwt',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      client_id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      client_name: 'Lånesøknad',
      description: 'Henter inntekt',
      scopes: [scope, Scopes.consentRequestsWrite],
      integration_type: 'maskinporten',
      token_endpoint_auth_method: 'private_key_jwt',
      client_orgno: org,
      created: expect.any(String),
      last_updated: expect.any(String),
      active: true,
    });
    expect(res.headers.get('location')).toBe(`/api/v1/clients/${res.body.client_id}`);
    const audit = await prisma.auditEntry.findMany({
      where: { objectType: 'client', objectId: res.body.client_id },
    });
    expect(audit).toEqual([
      expect.objectContaining({ action: 'client.create', actorOrg: org, ownerOrg: org }),
    ]);
    expect(events).toContainEqual(expect.objectContaining({ topic: 'client', id: res.body.client_id }));
  });

  it('defaults integration_type, token_endpoint_auth_method and description', async () => {
    const res = await call('POST', '/api/v1/clients', await dcr(orgNumber()), {
      client_name: 'Minimal',
      scopes: [],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      description: '',
      scopes: [],
      integration_type: 'maskinporten',
      token_endpoint_auth_method: 'private_key_jwt',
    });
  });

  it('refuses unknown and inactive scopes with one 400 naming each, storing nothing', async () => {
    const org = orgNumber();
    const res = await call('POST', '/api/v1/clients', await dcr(org), {
      client_name: 'x',
      scopes: [scope, 'nobody:nothing', inactiveScope],
    });
    expectProblemStatus(res, 400);
    expect(res.body.detail).toContain("'nobody:nothing'");
    expect(res.body.detail).toContain(`'${inactiveScope}'`);
    expect(res.body.validationErrors).toEqual([
      expect.objectContaining({ code: 'CLI.VLD-00001', paths: ['$.scopes[1]'] }),
      expect.objectContaining({ code: 'CLI.VLD-00001', paths: ['$.scopes[2]'] }),
    ]);
    expect(await prisma.client.count({ where: { orgNumber: org } })).toBe(0);
  });

  it.each([
    ['an unknown field', { client_name: 'x', scopes: [], redirect_uris: ['https://x'] }, '$.redirect_uris'],
    ['a missing client_name', { scopes: [] }, '$.client_name'],
    ['missing scopes', { client_name: 'x' }, '$.scopes'],
    ['a malformed scope', { client_name: 'x', scopes: ['Not A Scope'] }, '$.scopes'],
    ['a duplicate scope', { client_name: 'x', scopes: ['a1:b', 'a1:b'] }, '$.scopes'],
    [
      'integration_type idporten',
      { client_name: 'x', scopes: [], integration_type: 'idporten' },
      '$.integration_type',
    ],
    [
      'client_secret_basic',
      { client_name: 'x', scopes: [], token_endpoint_auth_method: 'client_secret_basic' },
      '$.token_endpoint_auth_method',
    ],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_name, body, path) => {
    const org = orgNumber();
    const res = await call('POST', '/api/v1/clients', await dcr(org), body);
    expectProblemStatus(res, 400);
    expect(res.body.validationErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ paths: [path] })]),
    );
    expect(await prisma.client.count({ where: { orgNumber: org } })).toBe(0);
  });

  it('lists and reads only the caller’s clients', async () => {
    const a = await orgWithClient();
    const b = await orgWithClient();
    const list = await call('GET', '/api/v1/clients', a.auth);
    expect(list.status).toBe(200);
    expect(list.body.map((c: { client_id: string }) => c.client_id)).toEqual([a.clientId]);
    const one = await call('GET', `/api/v1/clients/${a.clientId}`, a.auth);
    expect(one).toMatchObject({ status: 200, body: { client_id: a.clientId, client_orgno: a.org } });
    expectProblemStatus(await call('GET', `/api/v1/clients/${b.clientId}`, a.auth), 404, 'CLI-00001');
  });

  it('updates a client, keeping omitted fields, with before/after in the audit', async () => {
    const a = await orgWithClient();
    const res = await call('PUT', `/api/v1/clients/${a.clientId}`, a.auth, {
      client_name: 'Renamed',
      scopes: [scope, otherScope],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      client_name: 'Renamed',
      scopes: [scope, otherScope],
      description: '',
      active: true,
    });
    const audit = await prisma.auditEntry.findFirst({
      where: { objectId: a.clientId, action: 'client.update' },
    });
    expect(audit?.before).toMatchObject({ client_name: 'Bank integration', scopes: [scope] });
    expect(audit?.after).toMatchObject({ client_name: 'Renamed', scopes: [scope, otherScope] });
  });

  it('refuses an update with an unknown scope or field, changing nothing', async () => {
    const a = await orgWithClient();
    expectProblemStatus(
      await call('PUT', `/api/v1/clients/${a.clientId}`, a.auth, { scopes: ['nobody:x'] }),
      400,
      'CLI.VLD-00001',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/clients/${a.clientId}`, a.auth, { client_orgno: orgNumber() }),
      400,
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/clients/${a.clientId}`, a.auth, { client_name: null }),
      400,
    );
    expect(await prisma.client.findUnique({ where: { clientId: a.clientId } })).toMatchObject({
      clientName: 'Bank integration',
      scopes: [scope],
      orgNumber: a.org,
    });
  });

  it('deactivates a client, after which findActiveClient no longer returns it', async () => {
    const a = await orgWithClient();
    const clients = t.app.get(ClientsService);
    expect(await clients.findActiveClient(a.clientId)).toMatchObject({ clientId: a.clientId, active: true });
    const res = await call('PUT', `/api/v1/clients/${a.clientId}`, a.auth, { active: false });
    expect(res.body.active).toBe(false);
    expect(await clients.findActiveClient(a.clientId)).toBeNull();
  });

  it('deletes a client with its keys (204), then answers 404', async () => {
    const a = await orgWithClient();
    expect(
      (await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [ecJwk('k1')] })).status,
    ).toBe(201);
    const del = await call('DELETE', `/api/v1/clients/${a.clientId}`, a.auth);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect(await prisma.client.count({ where: { clientId: a.clientId } })).toBe(0);
    expect(await prisma.clientKey.count({ where: { clientId: a.clientId } })).toBe(0);
    expectProblemStatus(await call('GET', `/api/v1/clients/${a.clientId}`, a.auth), 404, 'CLI-00001');
    expectProblemStatus(await call('DELETE', `/api/v1/clients/${a.clientId}`, a.auth), 404, 'CLI-00001');
    const audit = await prisma.auditEntry.findFirst({
      where: { objectId: a.clientId, action: 'client.delete' },
    });
    expect(audit?.before).toMatchObject({ client_id: a.clientId, kids: ['k1'] });
  });

  it('answers 404 to another org for read, update, delete and keys, and changes nothing', async () => {
    const a = await orgWithClient();
    await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [ecJwk('mine')] });
    const b = await dcr(orgNumber());
    const base = `/api/v1/clients/${a.clientId}`;
    expectProblemStatus(await call('GET', base, b), 404, 'CLI-00001');
    expectProblemStatus(await call('PUT', base, b, { client_name: 'taken' }), 404, 'CLI-00001');
    expectProblemStatus(await call('DELETE', base, b), 404, 'CLI-00001');
    expectProblemStatus(await call('GET', `${base}/jwks`, b), 404, 'CLI-00001');
    expectProblemStatus(await call('POST', `${base}/jwks`, b, { keys: [ecJwk('theirs')] }), 404, 'CLI-00001');
    // Even a bad key set from another org gets 404, not a 400 about the keys.
    expectProblemStatus(
      await call('POST', `${base}/jwks`, b, { keys: [{ kty: 'oct', k: 'x' }] }),
      404,
      'CLI-00001',
    );
    expect(await prisma.client.findUnique({ where: { clientId: a.clientId } })).toMatchObject({
      clientName: 'Bank integration',
    });
    expect((await prisma.clientKey.findMany({ where: { clientId: a.clientId } })).map((k) => k.kid)).toEqual([
      'mine',
    ]);
  });

  it('answers 400 to a client id that is not a UUID and 404 to an unknown one', async () => {
    const auth = await dcr(orgNumber());
    const bad = await call('GET', '/api/v1/clients/not-a-uuid', auth);
    expectProblemStatus(bad, 400);
    expect(bad.body.validationErrors).toEqual([expect.objectContaining({ paths: ['$.clientId'] })]);
    expectProblemStatus(
      await call('GET', '/api/v1/clients/6f1c1c1e-1111-4111-8111-111111111111', auth),
      404,
      'CLI-00001',
    );
  });
});

describe('client keys', () => {
  it('stores RSA and EC P-256 public keys, returning only public members', async () => {
    const a = await orgWithClient();
    const rsa: Record<string, unknown> = { ...rsaJwk('rsa-1'), x5t: 'abc', key_ops: ['verify'] };
    const ec = ecJwk('ec-1');
    const res = await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [rsa, ec] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      keys: [
        { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: 'ec-1' },
        { kty: 'RSA', n: rsa.n, e: rsa.e, kid: 'rsa-1', use: 'sig', alg: 'RS256' },
      ],
    });
    const got = await call('GET', `/api/v1/clients/${a.clientId}/jwks`, a.auth);
    expect(got).toMatchObject({ status: 200, body: res.body });
    const found = await t.app.get(ClientsService).findActiveClient(a.clientId);
    expect(found).toEqual({
      clientId: a.clientId,
      orgNumber: a.org,
      clientName: 'Bank integration',
      scopes: [scope],
      active: true,
      keys: [
        { kid: 'ec-1', jwk: res.body.keys[0] },
        { kid: 'rsa-1', jwk: res.body.keys[1] },
      ],
    });
    const audit = await prisma.auditEntry.findFirst({
      where: { objectId: a.clientId, action: 'client-jwks.replace' },
    });
    expect(audit?.after).toEqual({
      keys: expect.arrayContaining([expect.objectContaining({ kid: 'rsa-1' })]),
    });
  });

  it('replaces the whole key set on every upload, and an empty set removes all keys', async () => {
    const a = await orgWithClient();
    await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, {
      keys: [ecJwk('old-1'), ecJwk('old-2')],
    });
    const res = await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [ecJwk('new-1')] });
    expect(res.body.keys.map((k: { kid: string }) => k.kid)).toEqual(['new-1']);
    expect((await prisma.clientKey.findMany({ where: { clientId: a.clientId } })).map((k) => k.kid)).toEqual([
      'new-1',
    ]);
    const empty = await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [] });
    expect(empty).toMatchObject({ status: 201, body: { keys: [] } });
    expect(await prisma.clientKey.count({ where: { clientId: a.clientId } })).toBe(0);
  });

  /** Each refused upload must leave the previous key set exactly as it was. */
  async function expectRefused(keys: unknown, code: string, path: string): Promise<void> {
    const a = await orgWithClient();
    const kept = ecJwk('kept');
    await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [kept] });
    const auditBefore = await prisma.auditEntry.count({ where: { objectId: a.clientId } });
    const res = await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys });
    expectProblemStatus(res, 400);
    expect(res.body.validationErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code, paths: expect.arrayContaining([path]) })]),
    );
    const stored = await prisma.clientKey.findMany({ where: { clientId: a.clientId } });
    expect(stored.map((k) => k.jwk)).toEqual([
      { kty: 'EC', crv: 'P-256', x: kept.x, y: kept.y, kid: 'kept' },
    ]);
    expect(await prisma.auditEntry.count({ where: { objectId: a.clientId } })).toBe(auditBefore);
  }

  it('refuses a private RSA key, naming the key, and stores nothing', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRefused(
      [ecJwk('fine'), { ...privateKey.export({ format: 'jwk' }), kid: 'oops' }],
      'CLI.VLD-00003',
      '$.keys[1].d',
    );
  });

  it('refuses a private EC key and a symmetric key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expectRefused(
      [{ ...privateKey.export({ format: 'jwk' }), kid: 'ec-priv' }],
      'CLI.VLD-00003',
      '$.keys[0].d',
    );
    await expectRefused([{ kty: 'oct', kid: 'sym', k: 'c2VjcmV0' }], 'CLI.VLD-00003', '$.keys[0].k');
  });

  it('refuses an RSA-1024 key', async () => {
    await expectRefused([rsaJwk('small', 1024)], 'CLI.VLD-00002', '$.keys[0].n');
  });

  it('refuses six keys', async () => {
    await expectRefused(
      Array.from({ length: 6 }, (_, i) => ecJwk(`k${i}`)),
      'CLI.VLD-00005',
      '$.keys',
    );
  });

  it('refuses a duplicate kid', async () => {
    await expectRefused([ecJwk('same'), ecJwk('same')], 'CLI.VLD-00004', '$.keys[1].kid');
  });

  it('refuses a key without kid, a P-384 key and use "enc"', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await expectRefused([{ ...ecJwk('x'), kid: undefined }], 'CLI.VLD-00002', '$.keys[0].kid');
    await expectRefused(
      [{ ...publicKey.export({ format: 'jwk' }), kid: 'p384' }],
      'CLI.VLD-00002',
      '$.keys[0].crv',
    );
    await expectRefused([{ ...ecJwk('enc'), use: 'enc' }], 'CLI.VLD-00002', '$.keys[0].use');
  });

  it('refuses a body that is not a JWKS', async () => {
    await expectRefused('not-an-array', 'STD.VLD-00001', '$.keys');
    const a = await orgWithClient();
    const extra = await call('POST', `/api/v1/clients/${a.clientId}/jwks`, a.auth, { keys: [], extra: 1 });
    expectProblemStatus(extra, 400, 'STD.VLD-00002');
  });
});

describe('authorization', () => {
  const id = '6f1c1c1e-1111-4111-8111-111111111111';
  // Every row has three cells: Jest takes an extra parameter beyond a row's length for `done`.
  const routes: Array<[string, string, unknown]> = [
    ['POST', '/api/v1/clients', { client_name: 'x', scopes: [] }],
    ['GET', '/api/v1/clients', undefined],
    ['GET', `/api/v1/clients/${id}`, undefined],
    ['PUT', `/api/v1/clients/${id}`, { client_name: 'y' }],
    ['DELETE', `/api/v1/clients/${id}`, undefined],
    ['GET', `/api/v1/clients/${id}/jwks`, undefined],
    ['POST', `/api/v1/clients/${id}/jwks`, { keys: [] }],
  ];

  it.each(routes)(
    '%s %s answers 403 insufficient_scope without the DCR scopes',
    async (method, path, body) => {
      const wrong = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite, Scopes.admin] });
      const res = await call(method, path, wrong, body);
      expectProblemStatus(res, 403, 'AUTH-00403');
      expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    },
  );

  it.each(routes)('%s %s answers 401 without a token', async (method, path, body) => {
    expectProblemStatus(await call(method, path, undefined, body), 401);
  });

  it('does not let a read-only token create, change, delete or upload keys', async () => {
    const a = await orgWithClient();
    const read = await bearer(t, { org: a.org, scope: Scopes.dcrRead });
    expect((await call('GET', `/api/v1/clients/${a.clientId}`, read)).status).toBe(200);
    expectProblemStatus(
      await call('POST', '/api/v1/clients', read, { client_name: 'x', scopes: [] }),
      403,
      'AUTH-00403',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/clients/${a.clientId}`, read, { client_name: 'ro' }),
      403,
      'AUTH-00403',
    );
    expectProblemStatus(await call('DELETE', `/api/v1/clients/${a.clientId}`, read), 403, 'AUTH-00403');
    expectProblemStatus(
      await call('POST', `/api/v1/clients/${a.clientId}/jwks`, read, { keys: [] }),
      403,
      'AUTH-00403',
    );
    expect(await prisma.client.count({ where: { orgNumber: a.org } })).toBe(1);
    expect(await prisma.client.findUnique({ where: { clientId: a.clientId } })).toMatchObject({
      clientName: 'Bank integration',
    });
  });
});
