import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scopes } from '../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { createResource } from '../factories/registry.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  consumer,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  problemBody,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * POST /accessmanagement/api/v1/enterprise/consentrequests (DESIGN §4.6, §6, §8): Altinn's
 * validation order and codes, every problem in one 400, nothing stored when refused.
 */

const samples = JSON.parse(
  readFileSync(path.join(process.cwd(), 'test/fixtures/altinn-consent-samples.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;
const VALIDATION = 'One or more validation errors occurred.';

let t: TestApp;
let w: ConsentWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

const body = (o: Partial<Parameters<typeof consentBody>[0]> = {}) =>
  consentBody({ to: w.consumer.org, resource: w.resource, ...o });

/** Posts, expects exactly `expected` (status and problem body) and that nothing was stored. */
async function refused(
  payload: unknown,
  expected: Record<string, unknown>,
  auth = w.consumer.auth,
): Promise<void> {
  const before = await consentCounts(t);
  const res = await http(t, 'POST', CONSENT_PATH, auth, payload);
  expect(res.body).toEqual(expected);
  expect(res.status).toBe(expected.status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(await consentCounts(t)).toEqual(before);
}

describe('creating a consent request', () => {
  it('answers 201 with Location and Altinn details DTO, recording resource and template versions', async () => {
    const payload = body({ metadata: { inntektsaar: '2024', kilde: 'a-ordningen' } });
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${t.config.publicUrl}${CONSENT_PATH}/${payload.id as string}`);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(samples.consentRequestDetails).sort());
    expect(res.body).toEqual({
      id: payload.id,
      from: payload.from,
      to: orgUrnOf(w.consumer.org),
      requiredDelegator: null,
      handledBy: null,
      validTo: new Date(payload.validTo as string).toISOString(),
      consentRights: [
        {
          action: ['consent'],
          resource: [{ type: 'urn:altinn:resource', value: w.resource }],
          metadata: { inntektsaar: '2024', kilde: 'a-ordningen' },
        },
      ],
      requestMessage: { nb: 'Vi ber om samtykke', en: 'Please consent' },
      status: 'created',
      consented: null,
      redirectUrl: 'https://bank.example/done',
      consentRequestEvents: [
        {
          consentEventID: expect.stringMatching(
            /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          ),
          created: expect.any(String),
          performedBy: orgUrnOf(w.consumer.org),
          eventType: 'created',
          consentRequestID: payload.id,
        },
      ],
      viewUri: `${t.config.publicUrl}/consent/request?id=${payload.id as string}`,
      portalViewMode: 'hide',
    });
    const event = res.body.consentRequestEvents[0];
    expect(Object.keys(event).sort()).toEqual(
      Object.keys((samples.consentRequestDetails.consentRequestEvents as object[])[0]).sort(),
    );

    const resource = await http(t, 'GET', `/resourceregistry/api/v1/resource/${w.resource}`);
    const template = await http(t, 'GET', '/resourceregistry/api/v1/consent-templates');
    const defaultVersion = (template.body as { id: string; version: number }[]).find(
      (x) => x.id === 'default',
    )?.version;
    const [row] = await sql(
      t,
      'SELECT resource_versions, template_id, template_version, owner_org, resources FROM consent_requests WHERE id = $1',
      [payload.id],
    );
    expect(row).toEqual({
      resource_versions: { [w.resource]: resource.body.versionId },
      template_id: 'default',
      template_version: defaultVersion,
      owner_org: w.owner.orgNumber,
      resources: [w.resource],
    });
    const audit = await sql(
      t,
      "SELECT actor_org, action, owner_org FROM audit_log WHERE object_type = 'consent' AND object_id = $1",
      [payload.id],
    );
    expect(audit).toEqual([
      { actor_org: w.consumer.org, action: 'consent.created', owner_org: w.owner.orgNumber },
    ]);
  });

  it('replays the same id with the same parties as 200 and the same DTO, storing nothing new', async () => {
    const payload = body();
    const first = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(first.status).toBe(201);
    const before = await consentCounts(t);
    const again = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, {
      ...payload,
      redirectUrl: 'https://bank.example/other',
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();
    expect(again.body).toEqual(first.body);
    expect(await consentCounts(t)).toEqual(before);
  });

  /** The one answer for an id that is stored with other parties (AM-00016). */
  const idExists = (id: string) =>
    problemBody(
      400,
      'AM-00016',
      'A consent request with this id already exists',
      `A consent request with id '${id}' already exists for other parties.`,
      [{ code: 'AM-00016', title: 'A consent request with this id already exists', paths: ['/id'] }],
    );

  it('answers AM-00016 for the same id with other parties and changes nothing', async () => {
    const payload = body();
    await createConsent(t, w.consumer.auth, payload);
    await refused({ ...payload, from: personUrnOf(personNumber()) }, idExists(payload.id as string));
  });

  it('answers AM-00016 to another `.org` caller replaying the identical body: it never reads the live request', async () => {
    const payload = body();
    await createConsent(t, w.consumer.auth, payload);
    const other = orgNumber();
    await refused(
      payload,
      idExists(payload.id as string),
      await bearer(t, { org: other, scope: Scopes.consentRequestsOrg }),
    );
    // The creator's own replay still answers 200 with the stored request.
    expect((await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload)).status).toBe(200);
  });

  it('accepts an organisation as `from`, an app redirect URL, a requiredDelegator and `metaData` in any case', async () => {
    const payload: Record<string, unknown> = {
      ...body({ from: orgUrnOf(orgNumber()), metadata: undefined }),
      requiredDelegator: personUrnOf('02013299997'),
      redirectUrl: 'bankapp://consent/done?x=1',
      portalViewMode: 'Show',
    };
    delete (payload.consentRights as Record<string, unknown>[])[0].metadata;
    (payload.consentRights as Record<string, unknown>[])[0].metaData = { InntektsAar: '2023' };
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(res.status).toBe(201);
    expect(res.body.consentRights[0].metadata).toEqual({ inntektsaar: '2023' });
    expect(res.body.requiredDelegator).toBe(personUrnOf('02013299997'));
    expect(res.body.redirectUrl).toBe('bankapp://consent/done?x=1');
    expect(res.body.portalViewMode).toBe('show');
  });

  it('lets optional metadata keys be left out and takes several rights on one template', async () => {
    const payload = body();
    (payload.consentRights as unknown[]).push({
      action: ['consent'],
      resource: [{ type: 'urn:altinn:resource', value: w.plain }],
    });
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(res.status).toBe(201);
    expect(res.body.consentRights).toEqual([
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: w.resource }],
        metadata: { inntektsaar: '2024' },
      },
      { action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: w.plain }], metadata: null },
    ]);
    const [row] = await sql(t, 'SELECT resources, is_one_time FROM consent_requests WHERE id = $1', [
      payload.id,
    ]);
    expect(row).toEqual({ resources: [w.resource, w.plain], is_one_time: false });
  });

  it('marks a request for a one-time resource as one-time', async () => {
    const payload = body({ resource: w.oneTime });
    await createConsent(t, w.consumer.auth, payload);
    const [row] = await sql(t, 'SELECT is_one_time FROM consent_requests WHERE id = $1', [payload.id]);
    expect(row.is_one_time).toBe(true);
  });
});

describe('validation (one code each, exact problem, nothing stored)', () => {
  it('STD.VLD-00000: a required field is missing', async () => {
    const payload = body();
    delete payload.id;
    await refused(
      payload,
      problemBody(400, 'STD.VLD-00000', VALIDATION, "The field 'id' is required.", [
        { code: 'STD.VLD-00000', title: 'The field is required.', paths: ['/id'] },
      ]),
    );
  });

  it('STD.VLD-00001: the id is not a UUID', async () => {
    await refused(
      body({ id: 'not-a-uuid' }),
      problemBody(400, 'STD.VLD-00001', VALIDATION, "'id' must be a UUID.", [
        { code: 'STD.VLD-00001', title: "'id' must be a UUID.", paths: ['/id'] },
      ]),
    );
  });

  it('STD.VLD-00002: an unknown field is refused', async () => {
    await refused(
      { ...body(), handledBy: orgUrnOf(orgNumber()) },
      problemBody(400, 'STD.VLD-00002', VALIDATION, "Unknown field 'handledBy'.", [
        { code: 'STD.VLD-00002', title: 'Unknown field /handledBy', paths: ['/handledBy'] },
      ]),
    );
  });

  it('AM.VLD-00001: `from` is not a party URN', async () => {
    await refused(
      body({ from: 'urn:altinn:party:12345' }),
      problemBody(
        400,
        'AM.VLD-00001',
        VALIDATION,
        "'from' must be urn:altinn:person:identifier-no:<11 digits> or urn:altinn:organization:identifier-no:<9 digits>.",
        [{ code: 'AM.VLD-00001', title: 'Invalid party URN.', paths: ['/from'] }],
      ),
    );
  });

  it('AM.VLD-00001: `to` must be an organisation', async () => {
    await refused(
      { ...body(), to: personUrnOf('02013299997') },
      problemBody(
        400,
        'AM.VLD-00001',
        VALIDATION,
        "'to' must be an organization URN: only organisations request consent.",
        [{ code: 'AM.VLD-00001', title: 'Invalid party URN.', paths: ['/to'] }],
      ),
    );
  });

  it('AM-00003: an organisation number with a wrong check digit names no organisation', async () => {
    await refused(
      body({ from: orgUrnOf('991825828') }),
      problemBody(
        400,
        'AM-00003',
        'Unknown organization',
        "'from' names no organization: 991825828 is not a valid organization number.",
        [{ code: 'AM-00003', title: 'Unknown organization', paths: ['/from'] }],
      ),
    );
  });

  it('AM-00004: a national identity number with a wrong check digit names no person', async () => {
    await refused(
      body({ from: personUrnOf('02013299996') }),
      problemBody(
        400,
        'AM-00004',
        'Unknown person',
        "'from' names no person: 02013299996 is not a valid national identity number.",
        [{ code: 'AM-00004', title: 'Unknown person', paths: ['/from'] }],
      ),
    );
  });

  it('AM.VLD-00022: validTo is not in the future', async () => {
    await refused(
      body({ validTo: '2020-01-01T00:00:00+00:00' }),
      problemBody(
        400,
        'AM.VLD-00022',
        VALIDATION,
        "'validTo' (2020-01-01T00:00:00.000Z) must be in the future.",
        [{ code: 'AM.VLD-00022', title: 'The time must be in the future.', paths: ['/validTo'] }],
      ),
    );
  });

  it('STD.VLD-00001: validTo is not a date (30 February)', async () => {
    await refused(
      body({ validTo: '2031-02-30T00:00:00Z' }),
      problemBody(
        400,
        'STD.VLD-00001',
        VALIDATION,
        "'validTo' must be an ISO 8601 date-time, e.g. 2026-07-18T06:18:12+00:00.",
        [
          {
            code: 'STD.VLD-00001',
            title: "'validTo' must be an ISO 8601 date-time, e.g. 2026-07-18T06:18:12+00:00.",
            paths: ['/validTo'],
          },
        ],
      ),
    );
  });

  it('AM.VLD-00023: consentRights is empty', async () => {
    await refused(
      { ...body(), consentRights: [] },
      problemBody(400, 'AM.VLD-00023', VALIDATION, 'A consent request needs at least one right.', [
        { code: 'AM.VLD-00023', title: 'The list must not be empty.', paths: ['/consentRights'] },
      ]),
    );
  });

  it('STD.VLD-00000: a right with an empty action list (Altinn\'s "required" answer, not AM.VLD-00023)', async () => {
    const payload = body();
    (payload.consentRights as { action: string[] }[])[0].action = [];
    await refused(
      payload,
      problemBody(400, 'STD.VLD-00000', VALIDATION, 'A right needs at least one action.', [
        { code: 'STD.VLD-00000', title: 'The field is required.', paths: ['/consentRights/0/action'] },
      ]),
    );
  });

  it('AM-00005: the resource does not exist', async () => {
    await refused(
      body({ resource: 'ske-samtykke-x' }),
      problemBody(
        400,
        'AM-00005',
        'Invalid consent resource',
        "Resource 'ske-samtykke-x' does not exist or is not a consent resource",
        [
          {
            code: 'AM-00005',
            title: 'Invalid consent resource',
            paths: ['/consentRights/0/resource/0/value'],
          },
        ],
      ),
    );
    // The wire sample's problem, field for field.
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, body({ resource: 'ske-samtykke-x' }));
    const { validationErrors, traceId, ...rest } = res.body;
    const { traceId: sampleTrace, ...sample } = samples.problem;
    expect(rest).toEqual(sample);
    expect(typeof traceId).toBe(typeof sampleTrace);
    expect(validationErrors).toHaveLength(1);
  });

  it('AM-00005: a right names two resources', async () => {
    const payload = body();
    (payload.consentRights as { resource: unknown[] }[])[0].resource.push({
      type: 'urn:altinn:resource',
      value: w.plain,
    });
    await refused(
      payload,
      problemBody(
        400,
        'AM-00005',
        'Invalid consent resource',
        'A right must name exactly one resource of type urn:altinn:resource.',
        [{ code: 'AM-00005', title: 'Invalid consent resource', paths: ['/consentRights/0/resource'] }],
      ),
    );
  });

  it('AM-00005: the resource attribute type is not urn:altinn:resource', async () => {
    const payload = body();
    (payload.consentRights as { resource: { type: string }[] }[])[0].resource[0].type = 'urn:altinn:app';
    await refused(
      payload,
      problemBody(
        400,
        'AM-00005',
        'Invalid consent resource',
        "The resource type must be 'urn:altinn:resource'.",
        [
          {
            code: 'AM-00005',
            title: 'Invalid consent resource',
            paths: ['/consentRights/0/resource/0/type'],
          },
        ],
      ),
    );
  });

  it('AM-00006: a metadata key the resource does not declare', async () => {
    await refused(
      body({ metadata: { inntektsaar: '2024', fraogmed: '2024-01' } }),
      problemBody(
        400,
        'AM-00006',
        'Unknown consent metadata',
        `Resource '${w.resource}' has no metadata key 'fraogmed'.`,
        [
          {
            code: 'AM-00006',
            title: 'Unknown consent metadata',
            paths: ['/consentRights/0/metadata/fraogmed'],
          },
        ],
      ),
    );
  });

  it('AM-00007: a metadata value is empty', async () => {
    await refused(
      body({ metadata: { inntektsaar: '  ' } }),
      problemBody(400, 'AM-00007', 'Missing metadata value', "Metadata 'inntektsaar' needs a value.", [
        {
          code: 'AM-00007',
          title: 'Missing metadata value',
          paths: ['/consentRights/0/metadata/inntektsaar'],
        },
      ]),
    );
  });

  it('AM-00008: a required metadata key is missing', async () => {
    await refused(
      body({ metadata: { kilde: 'x' } }),
      problemBody(
        400,
        'AM-00008',
        'Missing metadata',
        `Resource '${w.resource}' requires metadata 'inntektsaar'.`,
        [{ code: 'AM-00008', title: 'Missing metadata', paths: ['/consentRights/0/metadata/inntektsaar'] }],
      ),
    );
  });

  it('AM-00009: the rights use resources on different templates', async () => {
    const payload = body();
    (payload.consentRights as unknown[]).push({
      action: ['consent'],
      resource: [{ type: 'urn:altinn:resource', value: w.poa }],
      metadata: { inntektsaar: '2024' },
    });
    await refused(
      payload,
      problemBody(
        400,
        'AM-00009',
        'Invalid resource combination',
        `Resource '${w.poa}' uses consent template 'poa' but '${w.resource}' uses 'default'; one request uses one template.`,
        [
          {
            code: 'AM-00009',
            title: 'Invalid resource combination',
            paths: ['/consentRights/1/resource/0/value'],
          },
        ],
      ),
    );
  });

  it.each([
    ['javascript:alert(1)'],
    ['/relative/path'],
    ['https://'],
    ['data:text/html,hi'],
    ['https://bank.example/ space'],
  ])('AM.VLD-00027: the redirect URL %j is refused', async (redirectUrl) => {
    await refused(
      { ...body(), redirectUrl },
      problemBody(
        400,
        'AM.VLD-00027',
        VALIDATION,
        "'redirectUrl' must be an absolute http(s) URL or an app URL with a custom scheme (not javascript:, data:, file: …).",
        [{ code: 'AM.VLD-00027', title: 'Invalid redirect URL.', paths: ['/redirectUrl'] }],
      ),
    );
  });

  it('reports every problem at once as STD-00000, in Altinn order', async () => {
    const payload = {
      ...body({
        from: personUrnOf('02013299996'),
        validTo: '2020-01-01T00:00:00Z',
        resource: 'ske-samtykke-x',
      }),
      redirectUrl: 'ftp:',
      extra: 1,
    };
    const before = await consentCounts(t);
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('STD-00000');
    expect(res.body.title).toBe(VALIDATION);
    expect(
      res.body.validationErrors.map((e: { code: string; paths: string[] }) => [e.code, e.paths[0]]),
    ).toEqual([
      ['STD.VLD-00002', '/extra'],
      ['AM-00004', '/from'],
      ['AM.VLD-00022', '/validTo'],
      ['AM-00005', '/consentRights/0/resource/0/value'],
      ['AM.VLD-00027', '/redirectUrl'],
    ]);
    expect(await consentCounts(t)).toEqual(before);
  });

  it('refuses a body that is not a JSON object, and malformed JSON', async () => {
    await refused(
      [body()],
      problemBody(400, 'STD.VLD-00001', VALIDATION, 'The request body must be a JSON object.', [
        { code: 'STD.VLD-00001', title: 'The request body must be a JSON object.', paths: [''] },
      ]),
    );
    const before = await consentCounts(t);
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, '{"id": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('STD-00400');
    expect(await consentCounts(t)).toEqual(before);
  });
});

describe('who may create', () => {
  it('needs a token (401) with altinn:consentrequests.write or .org (403 for a .read-only token), storing nothing', async () => {
    const before = await consentCounts(t);
    await expectRefused(await http(t, 'POST', CONSENT_PATH, undefined, body()), {
      status: 401,
      code: 'AUTH-00401',
    });
    const res = await http(t, 'POST', CONSENT_PATH, w.consumer.read, body());
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'AUTH-00403',
      detail:
        'The access token lacks a required scope (requires one of: altinn:consentrequests.write, altinn:consentrequests.org).',
    });
    expect(await consentCounts(t)).toEqual(before);
  });

  it('AM-00000: .write alone cannot create for another `to`, and nothing is stored', async () => {
    const other = orgNumber();
    await refused(
      body({ to: other }),
      problemBody(
        403,
        'AM-00000',
        'Not authorized for consent request',
        `'to' must be the caller's organisation (${w.consumer.org}); requesting for another organisation needs altinn:consentrequests.org.`,
      ),
      w.consumer.write,
    );
  });

  it('.org alone creates for the caller itself (no handledBy), and the caller reads it back', async () => {
    const org = orgNumber();
    const auth = await bearer(t, { org, scope: Scopes.consentRequestsOrg });
    const res = await http(t, 'POST', CONSENT_PATH, auth, body({ to: org }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ to: orgUrnOf(org), handledBy: null, status: 'created' });
    expect((await http(t, 'GET', `${CONSENT_PATH}/${res.body.id as string}`, auth)).body).toEqual(res.body);
  });

  it('.org for another `to`: the caller becomes handledBy and performedBy, reads it back, and so does `to`', async () => {
    const caller = orgNumber();
    const auth = await bearer(t, { org: caller, scope: Scopes.consentRequestsOrg });
    const other = await consumer(t);
    const res = await http(t, 'POST', CONSENT_PATH, auth, body({ to: other.org }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ to: orgUrnOf(other.org), handledBy: orgUrnOf(caller) });
    expect(res.body.consentRequestEvents[0].performedBy).toBe(orgUrnOf(caller));
    const path = `${CONSENT_PATH}/${res.body.id as string}`;
    expect((await http(t, 'GET', path, auth)).body).toEqual(res.body);
    expect((await http(t, 'GET', path, other.read)).body).toEqual(res.body);
    // and it follows the request in its events feed
    const feed = await http(
      t,
      'GET',
      `${CONSENT_PATH}/events?consentRequestId=${res.body.id as string}`,
      auth,
    );
    expect(feed.body.data).toEqual([
      { consentRequestId: res.body.id, eventType: 'created', changedDate: expect.any(String) },
    ]);
    const [row] = await sql(t, 'SELECT handled_by, to_org FROM consent_requests WHERE id = $1', [
      res.body.id,
    ]);
    expect(row).toEqual({ handled_by: caller, to_org: other.org });
    // Cancelling (beyond Altinn) follows the create policy: not with .read alone, with .org yes.
    const before = await consentCounts(t);
    const readOnly = await bearer(t, { org: caller, scope: Scopes.consentRequestsRead });
    await expectRefused(await http(t, 'POST', `${path}/cancel`, readOnly), {
      status: 403,
      code: 'AUTH-00403',
    });
    expect(await consentCounts(t)).toEqual(before);
    const cancelled = await http(t, 'POST', `${path}/cancel`, auth);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('deleted');
    expect(cancelled.body.consentRequestEvents[1]).toMatchObject({
      eventType: 'deleted',
      performedBy: orgUrnOf(caller),
    });
  });

  it('.org for another `to` wins over a supplier claim: the caller (not the supplier) handles it', async () => {
    const caller = orgNumber();
    const auth = await bearer(t, { org: caller, supplier: orgNumber(), scope: Scopes.consentRequestsOrg });
    const to = orgNumber();
    const res = await http(t, 'POST', CONSENT_PATH, auth, body({ to }));
    expect(res.status).toBe(201);
    expect(res.body.handledBy).toBe(orgUrnOf(caller));
  });

  it('a third organisation still cannot read a request handled by another', async () => {
    const caller = orgNumber();
    const auth = await bearer(t, { org: caller, scope: Scopes.consentRequestsOrg });
    const res = await http(t, 'POST', CONSENT_PATH, auth, body({ to: orgNumber() }));
    const stranger = await consumer(t);
    const read = await http(t, 'GET', `${CONSENT_PATH}/${res.body.id as string}`, stranger.auth);
    expect(read.status).toBe(403);
    expect(read.body.code).toBe('AM-00000');
  });

  it('records the token supplier as handledBy', async () => {
    const supplier = orgNumber();
    const c = await consumer(t, orgNumber(), [], supplier);
    const res = await http(t, 'POST', CONSENT_PATH, c.auth, consentBody({ to: c.org, resource: w.resource }));
    expect(res.status).toBe(201);
    expect(res.body.handledBy).toBe(orgUrnOf(supplier));
  });

  describe('a resource with an access list (accessListMode Enabled)', () => {
    let listed: string;
    let member: Awaited<ReturnType<typeof consumer>>;
    let consentOnly: Awaited<ReturnType<typeof consumer>>;
    /** A `.org` caller on the list: it may ask on behalf of a listed `to` (and handle it). */
    const handler = orgNumber();
    const notOnList = (org: string) =>
      problemBody(
        403,
        'AM-00000',
        'Not authorized for consent request',
        `Organisation ${org} may not request consent for resource '${listed}': it is not on an access list of the resource that allows 'requestconsent'.`,
      );

    beforeAll(async () => {
      listed = (await createResource(t, w.owner, { accessListMode: 'Enabled' })).identifier;
      member = await consumer(t);
      consentOnly = await consumer(t);
      const auth = await bearer(t, { org: w.owner.orgNumber, scope: [Scopes.accessListWrite] });
      const base = `/resourceregistry/api/v1/access-lists/${w.owner.orgcode}`;
      const must = (r: { status: number; body: unknown }, what: string) => {
        if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
      };
      must(await http(t, 'PUT', `${base}/banks`, auth, { name: 'Banks' }), 'list');
      must(
        await http(t, 'POST', `${base}/banks/members`, auth, {
          data: [orgUrnOf(member.org), orgUrnOf(handler)],
        }),
        'members',
      );
      must(
        await http(t, 'PUT', `${base}/banks/resource-connections/${listed}`, auth, {
          actionFilters: ['requestconsent'],
        }),
        'connect',
      );
      must(await http(t, 'PUT', `${base}/readers`, auth, { name: 'Readers' }), 'list2');
      must(
        await http(t, 'POST', `${base}/readers/members`, auth, { data: [orgUrnOf(consentOnly.org)] }),
        'members2',
      );
      must(
        await http(t, 'PUT', `${base}/readers/resource-connections/${listed}`, auth, {
          actionFilters: ['consent'],
        }),
        'connect2',
      );
    });

    it('lets a member of a list allowing requestconsent create', async () => {
      const res = await http(
        t,
        'POST',
        CONSENT_PATH,
        member.auth,
        consentBody({ to: member.org, resource: listed }),
      );
      expect(res.status).toBe(201);
    });

    it('refuses an organisation that is on no list (AM-00000), storing nothing', async () => {
      const outsider = await consumer(t);
      await refused(
        consentBody({ to: outsider.org, resource: listed }),
        notOnList(outsider.org),
        outsider.auth,
      );
    });

    it('lets a listed `.org` caller create for a listed `to`, as its handler', async () => {
      const auth = await bearer(t, { org: handler, scope: Scopes.consentRequestsOrg });
      const res = await http(
        t,
        'POST',
        CONSENT_PATH,
        auth,
        consentBody({ to: member.org, resource: listed }),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ to: orgUrnOf(member.org), handledBy: orgUrnOf(handler) });
    });

    it('refuses a `.org` caller that is on no list, even for a listed `to` (it would be refused at the gateway), storing nothing', async () => {
      const unlisted = orgNumber();
      await refused(
        consentBody({ to: member.org, resource: listed }),
        notOnList(unlisted),
        await bearer(t, { org: unlisted, scope: Scopes.consentRequestsOrg }),
      );
    });

    it('refuses a listed `.org` caller asking for a `to` that is on no list, storing nothing', async () => {
      const outsider = orgNumber();
      await refused(
        consentBody({ to: outsider, resource: listed }),
        notOnList(outsider),
        await bearer(t, { org: handler, scope: Scopes.consentRequestsOrg }),
      );
    });

    it('refuses a member of a list whose action filter does not include requestconsent', async () => {
      await refused(
        consentBody({ to: consentOnly.org, resource: listed }),
        notOnList(consentOnly.org),
        consentOnly.auth,
      );
    });
  });

  it('is idempotent under concurrent replays: one request, one event', async () => {
    const payload = body({ id: randomUUID() });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const events = await sql(t, 'SELECT event_type FROM consent_events WHERE consent_request_id = $1', [
      payload.id,
    ]);
    expect(events).toEqual([{ event_type: 'created' }]);
  });
});
