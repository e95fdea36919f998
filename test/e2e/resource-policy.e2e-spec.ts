import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused, expectUnchanged } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber } from '../factories/orgs.js';
import { ADMIN_ORG, createResource, registerOwner } from '../factories/registry.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  consumer,
  http,
  sql,
  type Consumer,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * A consent resource's policy (beyond Altinn; docs/consent-lifecycle.md): set by the owner,
 * validated and audited, and enforced when a consent request is created with CP-… codes that
 * name the field. Without a policy a request is judged by Altinn's rules only.
 */

let t: TestApp;
let w: ConsentWorld;

const policyPath = (resource: string) => `/resourceregistry/api/v1/resource/${resource}/policy`;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

async function setPolicy(resource: string, policy: Record<string, unknown>, auth = w.owner.auth) {
  const res = await http(t, 'PUT', policyPath(resource), auth, policy);
  expect(res.status).toBe(200);
  return res.body as Record<string, unknown>;
}

/** A fresh resource of the world's owner (so each test sets its own policy). */
async function freshResource(): Promise<string> {
  const r = await createResource(t, w.owner, {
    consentMetadata: { inntektsaar: { optional: false }, kontonr: { optional: true } },
  });
  return r.identifier;
}

/** Posts a consent request that must be refused with these codes/paths and store nothing. */
async function refusedWith(
  payload: Record<string, unknown>,
  problems: { code: string; paths: string[] }[],
  who: Consumer = w.consumer,
) {
  const before = await consentCounts(t);
  const res = await http(t, 'POST', CONSENT_PATH, who.auth, payload);
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(problems.length === 1 ? problems[0].code : 'STD-00000');
  expect(
    res.body.validationErrors.map((p: { code: string; paths: string[] }) => ({
      code: p.code,
      paths: p.paths,
    })),
  ).toEqual(problems);
  expect(await consentCounts(t)).toEqual(before);
  return res.body as { detail: string; type: string };
}

async function accepted(payload: Record<string, unknown>, who: Consumer = w.consumer) {
  const res = await http(t, 'POST', CONSENT_PATH, who.auth, payload);
  expect(res.status).toBe(201);
  return res.body as Record<string, unknown>;
}

describe('the policy API', () => {
  it('lets the owner set, read and remove a policy, auditing each change with the actor', async () => {
    const resource = await freshResource();
    const policy = {
      maxValidity: 'P3Y',
      httpsRedirectOnly: true,
      redirectAllowList: { [w.consumer.org]: ['https://bank.example/'] },
      callsPerDay: 100,
      metadataValues: { inntektsaar: { enum: ['2024', '2025'] }, kontonr: { pattern: '[0-9]{11}' } },
      expiryReminderDays: 30,
    };
    const saved = await setPolicy(resource, policy);
    expect(saved).toEqual({
      resource,
      ...policy,
      applyToExistingConsents: false,
      updatedAt: expect.any(String),
      updatedBy: w.owner.orgNumber,
    });
    const read = await http(t, 'GET', policyPath(resource), w.owner.auth);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(saved);

    // GET → edit → PUT: read-only members are accepted and ignored (DESIGN §11).
    const edited = await setPolicy(resource, { ...read.body, callsPerDay: 50 });
    expect(edited.callsPerDay).toBe(50);

    const del = await http(t, 'DELETE', policyPath(resource), w.owner.auth);
    expect(del.status).toBe(204);
    const gone = await http(t, 'GET', policyPath(resource), w.owner.auth);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('RR-00008');

    const audit = await sql(
      t,
      `SELECT action, actor_org, owner_org, before, after FROM audit_log
       WHERE object_type = 'resource' AND object_id = $1 AND action LIKE 'resource.policy.%' ORDER BY id`,
      [resource],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'resource.policy.update',
      'resource.policy.update',
      'resource.policy.delete',
    ]);
    expect(audit.every((a) => a.actor_org === w.owner.orgNumber && a.owner_org === w.owner.orgNumber)).toBe(
      true,
    );
    expect(audit[0].before).toBeNull();
    expect(audit[1].before.callsPerDay).toBe(100);
    expect(audit[1].after.callsPerDay).toBe(50);
    expect(audit[2].after).toBeNull();
  });

  it('lets the platform operator read a policy but not change it', async () => {
    const resource = await freshResource();
    await setPolicy(resource, { maxValidity: 'P1Y' });
    const admin = await bearer(t, { org: ADMIN_ORG, scope: [Scopes.admin] });
    const read = async () => {
      const res = await http(t, 'GET', policyPath(resource), admin);
      expect(res.status).toBe(200);
      return res.body as unknown;
    };
    const put = await expectUnchanged(read, () =>
      http(t, 'PUT', policyPath(resource), admin, { maxValidity: 'P9Y' }),
    );
    await expectRefused(put, { status: 403 });
  });

  describe('RR-00003: another owner', () => {
    it('may neither read, set nor remove the policy, and nothing changes', async () => {
      const resource = await freshResource();
      await setPolicy(resource, { maxValidity: 'P1Y' });
      const other = await registerOwner(t);
      const otherRead = await bearer(t, { org: other.orgNumber, scope: [Scopes.resourceRead] });
      for (const [method, auth, body] of [
        ['GET', otherRead, undefined],
        ['PUT', other.auth, { maxValidity: 'P9Y' }],
        ['DELETE', other.auth, undefined],
      ] as const) {
        const res = await http(t, method, policyPath(resource), auth, body);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('RR-00003');
      }
      expect((await http(t, 'GET', policyPath(resource), w.owner.auth)).body.maxValidity).toBe('P1Y');
    });

    it('a consumer token (no resource scope) is refused with 403 insufficient scope', async () => {
      const res = await http(t, 'PUT', policyPath(w.resource), w.consumer.auth, { maxValidity: 'P9Y' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH-00403');
    });
  });

  it('answers 404 for a resource that does not exist', async () => {
    const res = await http(t, 'PUT', policyPath('no-such-resource'), w.owner.auth, { maxValidity: 'P1Y' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('RR-00001');
  });

  it('refuses a bad policy with every problem named by its path, storing nothing', async () => {
    const resource = await freshResource();
    const res = await http(t, 'PUT', policyPath(resource), w.owner.auth, {
      maxValidity: 'three years',
      httpsRedirectOnly: 'yes',
      redirectAllowList: { '123456789': ['https://a.example/'], [w.consumer.org]: ['javascript:alert(1)'] },
      callsPerDay: 0,
      metadataValues: {
        nosuchkey: { enum: ['x'] },
        inntektsaar: { enum: ['2024'], pattern: '[0-9]+' },
        kontonr: { pattern: '(a)\\1' },
      },
      extra: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('STD-00000');
    const paths = res.body.validationErrors.map((p: { paths: string[] }) => p.paths[0]).sort();
    expect(paths).toEqual(
      [
        '$.extra',
        '$.maxValidity',
        '$.httpsRedirectOnly',
        '$.callsPerDay',
        '$.redirectAllowList["123456789"]',
        `$.redirectAllowList["${w.consumer.org}"][0]`,
        '$.metadataValues.nosuchkey',
        '$.metadataValues.inntektsaar',
        '$.metadataValues.kontonr.pattern',
      ].sort(),
    );
    expect((await http(t, 'GET', policyPath(resource), w.owner.auth)).status).toBe(404);
  });

  it('refuses an http URL on the allow-list when the policy is https-only', async () => {
    const resource = await freshResource();
    const res = await http(t, 'PUT', policyPath(resource), w.owner.auth, {
      httpsRedirectOnly: true,
      redirectAllowList: { '*': ['http://bank.example/'] },
    });
    await expectRefused(res, { status: 400, field: '$.redirectAllowList["*"][0]' });
    expect(res.body.validationErrors[0].paths).toEqual(['$.redirectAllowList["*"][0]']);
    await expectRefused(await http(t, 'GET', policyPath(resource), w.owner.auth), {
      status: 404,
      code: 'RR-00008',
    });
  });
});

describe('enforcement when a consent request is created', () => {
  it('without a policy, a request is judged by Altinn rules only', async () => {
    await accepted(
      consentBody({
        to: w.consumer.org,
        resource: w.resource,
        validTo: new Date(Date.now() + 20 * 365 * DAY).toISOString(),
        redirectUrl: 'bankapp://consent',
      }),
    );
  });

  describe('CP-00001: maximum validity', () => {
    it('refuses a validTo beyond the maximum and accepts one within it', async () => {
      const resource = await freshResource();
      await setPolicy(resource, { maxValidity: 'P90D' });
      const body = await refusedWith(
        consentBody({ to: w.consumer.org, resource, validTo: new Date(Date.now() + 91 * DAY).toISOString() }),
        [{ code: 'CP-00001', paths: ['/validTo'] }],
      );
      expect(body.type).toBe('urn:consentgw:error:CP-00001');
      expect(body.detail).toContain('P90D');
      await accepted(
        consentBody({ to: w.consumer.org, resource, validTo: new Date(Date.now() + 89 * DAY).toISOString() }),
      );
    });
  });

  describe('CP-00002: https-only redirect', () => {
    it('refuses http and app-scheme redirect URLs and accepts https', async () => {
      const resource = await freshResource();
      await setPolicy(resource, { httpsRedirectOnly: true });
      for (const redirectUrl of ['http://bank.example/done', 'bankapp://consent'])
        await refusedWith(consentBody({ to: w.consumer.org, resource, redirectUrl }), [
          { code: 'CP-00002', paths: ['/redirectUrl'] },
        ]);
      await accepted(consentBody({ to: w.consumer.org, resource, redirectUrl: 'https://bank.example/done' }));
    });
  });

  describe('CP-00003: redirect allow-list per consumer', () => {
    it("holds each consumer to its own entry, '*' to the others, and a prefix never to another host", async () => {
      const resource = await freshResource();
      const listed = w.consumer;
      const other = await consumer(t);
      await setPolicy(resource, {
        redirectAllowList: {
          [listed.org]: ['https://bank.example/samtykke/', 'https://bank.example/exact'],
          '*': ['https://consumers.example/cb'],
        },
      });
      for (const redirectUrl of [
        'https://bank.example/other',
        'https://bank.example.evil.example/samtykke/x',
        'https://bank.example/samtykke/../admin',
        'https://bank.example/exact/more',
        'https://consumers.example/cb',
      ])
        await refusedWith(consentBody({ to: listed.org, resource, redirectUrl }), [
          { code: 'CP-00003', paths: ['/redirectUrl'] },
        ]);
      await accepted(
        consentBody({ to: listed.org, resource, redirectUrl: 'https://bank.example/samtykke/ok?x=1' }),
      );
      await accepted(consentBody({ to: listed.org, resource, redirectUrl: 'https://bank.example/exact' }));
      await refusedWith(
        consentBody({ to: other.org, resource, redirectUrl: 'https://bank.example/samtykke/ok' }),
        [{ code: 'CP-00003', paths: ['/redirectUrl'] }],
        other,
      );
      await accepted(
        consentBody({ to: other.org, resource, redirectUrl: 'https://consumers.example/cb' }),
        other,
      );
    });

    it('leaves consumers without an entry (and no "*") free', async () => {
      const resource = await freshResource();
      await setPolicy(resource, { redirectAllowList: { [orgNumber()]: ['https://someone.example/'] } });
      await accepted(
        consentBody({ to: w.consumer.org, resource, redirectUrl: 'https://anything.example/x' }),
      );
    });
  });

  describe('CP-00004: allowed metadata values', () => {
    it('checks an enum and a whole-value pattern, naming the metadata key', async () => {
      const resource = await freshResource();
      await setPolicy(resource, {
        metadataValues: { inntektsaar: { enum: ['2024', '2025'] }, kontonr: { pattern: '[0-9]{11}' } },
      });
      await refusedWith(consentBody({ to: w.consumer.org, resource, metadata: { inntektsaar: '1999' } }), [
        { code: 'CP-00004', paths: ['/consentRights/0/metadata/inntektsaar'] },
      ]);
      await refusedWith(
        consentBody({
          to: w.consumer.org,
          resource,
          metadata: { inntektsaar: '2024', kontonr: '12345678901x' },
        }),
        [{ code: 'CP-00004', paths: ['/consentRights/0/metadata/kontonr'] }],
      );
      await accepted(
        consentBody({
          to: w.consumer.org,
          resource,
          metadata: { inntektsaar: '2025', kontonr: '12345678901' },
        }),
      );
    });
  });

  it('reports every policy problem together with Altinn ones in one 400', async () => {
    const resource = await freshResource();
    await setPolicy(resource, {
      maxValidity: 'P1Y',
      httpsRedirectOnly: true,
      metadataValues: { inntektsaar: { enum: ['2024'] } },
    });
    await refusedWith(
      consentBody({
        to: w.consumer.org,
        resource,
        validTo: new Date(Date.now() + 400 * DAY).toISOString(),
        redirectUrl: 'http://bank.example/done',
        metadata: { inntektsaar: '2023', nosuch: 'x' },
      }),
      [
        { code: 'CP-00001', paths: ['/validTo'] },
        { code: 'AM-00006', paths: ['/consentRights/0/metadata/nosuch'] },
        { code: 'CP-00004', paths: ['/consentRights/0/metadata/inntektsaar'] },
        { code: 'CP-00002', paths: ['/redirectUrl'] },
      ],
    );
  });

  it('applies a changed or removed policy to the next request at once', async () => {
    const resource = await freshResource();
    const longBody = () =>
      consentBody({ to: w.consumer.org, resource, validTo: new Date(Date.now() + 200 * DAY).toISOString() });
    await accepted(longBody());
    await setPolicy(resource, { maxValidity: 'P6M' });
    await refusedWith(longBody(), [{ code: 'CP-00001', paths: ['/validTo'] }]);
    expect((await http(t, 'DELETE', policyPath(resource), w.owner.auth)).status).toBe(204);
    await accepted(longBody());
  });
});
