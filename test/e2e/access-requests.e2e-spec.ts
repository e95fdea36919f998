import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AccessRequestEvent } from '../../src/access-requests/access-request-event.record.js';
import { ChangeLogService } from '../../src/audit/change-log.service.js';
import { ChangeBus } from '../../src/common/events/change-bus.js';
import { Scopes } from '../../src/common/auth/scopes.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import {
  CONSENT_PATH,
  consentBody,
  consumer as consentConsumer,
  http,
  type HttpResult,
} from '../factories/consent-fixtures.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import {
  ADMIN_ORG,
  createResource,
  registerOwner,
  resourceBody,
  type TestOwner,
} from '../factories/registry.js';
import { createScope, registerClient, requestToken, type TestScope } from '../factories/token-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';

/**
 * Issue #12: access requests (DESIGN §4.4, §10) over real HTTP against a real database. A
 * consumer asks a resource's owner for its scopes and a place on an access list; the owner
 * approves (grant + list in one transaction) or rejects; the consumer may withdraw. Every
 * refusal is checked for its problem body and for leaving the database untouched.
 */

const PATH = '/api/v1/access-requests';
const LISTS = '/resourceregistry/api/v1/access-lists';
const LIST_WRITE = 'altinn:resourceregistry/accesslist.write';

/** Response bodies are checked field by field with expect(), so a loose JSON type reads best here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let t: TestApp;
let prisma: PrismaService;

const call = (method: string, path: string, auth?: string, body?: unknown) =>
  http(t, method, path, auth, body);

/** Any valid token of the org: access requests need no particular scope. */
const anyToken = (org: string) => bearer(t, { org, scope: 'some:unrelated' });

function expectProblem(res: HttpResult, status: number, code: string, detail?: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: `urn:consentgw:error:${code}` });
  if (detail) expect(res.body.detail).toMatch(detail);
  expect(res.body.traceId).toEqual(expect.any(String));
}

/** Everything an access-request call could change. */
async function snapshot() {
  return {
    requests: await prisma.accessRequest.findMany({ orderBy: { id: 'asc' } }),
    grants: await prisma.scopeGrant.findMany({ orderBy: [{ scope: 'asc' }, { consumerOrgNumber: 'asc' }] }),
    members: await prisma.accessListMember.count(),
    connections: await prisma.accessListConnection.findMany({
      orderBy: [{ listId: 'asc' }, { resourceIdentifier: 'asc' }],
    }),
    lists: await prisma.accessList.findMany({ select: { id: true, version: true }, orderBy: { id: 'asc' } }),
    audit: await prisma.auditEntry.count(),
  };
}

interface World {
  owner: TestOwner;
  /** Owner A's access-list write token. */
  listAuth: string;
  scope: TestScope;
  /** A second scope of owner A. */
  scope2: TestScope;
  /** Resource of A with accessListMode Enabled, referencing `scope`. */
  resource: string;
  /** Resource of A without access lists. */
  open: string;
  /** A's list identifier. */
  list: string;
  other: TestOwner;
  otherScope: TestScope;
  /** Identifier of a list of owner B (A has no list of that name).  */
  otherList: string;
}

let w: World;

async function putList(owner: TestOwner, auth: string, identifier: string): Promise<void> {
  const res = await call('PUT', `${LISTS}/${owner.orgcode}/${identifier}`, auth, {
    name: `List ${identifier}`,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`putList: ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  t = await createTestApp();
  prisma = t.app.get(PrismaService);
  const owner = await registerOwner(t);
  const other = await registerOwner(t);
  const scope = await createScope(t, { ownerOrg: owner.orgNumber });
  const scope2 = await createScope(t, { ownerOrg: owner.orgNumber, subscope: 'formue' });
  const otherScope = await createScope(t, { ownerOrg: other.orgNumber });
  const refs = (names: string[]) =>
    names.map((reference) => ({ referenceSource: 'Default', reference, referenceType: 'MaskinportenScope' }));
  const resource = await createResource(t, owner, {
    accessListMode: 'Enabled',
    resourceReferences: refs([scope.name, scope2.name]),
    contactPoints: [{ category: 'Tilgang', email: 'tilgang@etat.example.no', telephone: '+47 22 00 00 00' }],
  });
  const open = await createResource(t, owner, { resourceReferences: refs([scope.name]) });
  const listAuth = await bearer(t, { org: owner.orgNumber, scope: LIST_WRITE });
  const list = uniqueCode('banker-');
  await putList(owner, listAuth, list);
  const otherList = uniqueCode('andre-');
  await putList(other, await bearer(t, { org: other.orgNumber, scope: LIST_WRITE }), otherList);
  w = {
    owner,
    listAuth,
    scope,
    scope2,
    resource: resource.identifier,
    open: open.identifier,
    list,
    other,
    otherScope,
    otherList,
  };
});

afterAll(async () => {
  await t?.close();
});

/** A fresh consumer org with a pending request for `resource`; returns the request body and token. */
async function pendingRequest(
  o: { resource?: string; scopes?: string[]; org?: string } = {},
): Promise<{ id: string; org: string; auth: string; body: Json }> {
  const org = o.org ?? orgNumber();
  const auth = await anyToken(org);
  const res = await call('POST', PATH, auth, {
    resource: o.resource ?? w.resource,
    scopes: o.scopes ?? [w.scope.name],
    message: 'Vi trenger tilgang.',
  });
  if (res.status !== 201) throw new Error(`pendingRequest: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, org, auth, body: res.body };
}

const ownerAuth = () => anyToken(w.owner.orgNumber);

describe('the full flow: consumer asks, owner approves, consumer can use the resource', () => {
  it('turns a 403 consent request and an invalid_scope token into a created consent request and a token with the scope', async () => {
    const org = orgNumber();
    const consentApi = await consentConsumer(t, org);
    const client = await registerClient(t, { org, scopes: [w.scope.name] });

    // Before: not on the access list, scope not granted.
    const refused = await call(
      'POST',
      CONSENT_PATH,
      consentApi.auth,
      consentBody({ to: org, resource: w.resource }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AM-00000');
    const noToken = await requestToken(t, client);
    expect(noToken.status).toBe(400);
    expect(noToken.body.error).toBe('invalid_scope');

    // The consumer asks (any valid token: consumers need no special scope).
    const auth = await anyToken(org);
    const created = await call('POST', PATH, auth, {
      resource: w.resource,
      scopes: [w.scope.name],
      message: 'Vi er en bank og trenger inntektsopplysninger.',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${t.config.publicUrl}${PATH}/${id}`);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resource: w.resource,
      consumerOrgNumber: org,
      ownerOrgNumber: w.owner.orgNumber,
      // Names from the organisation register / service owners (issue 20); the consumer has none.
      consumerName: null,
      ownerName: `Etat ${w.owner.orgcode}`,
      scopes: [w.scope.name],
      message: 'Vi er en bank og trenger inntektsopplysninger.',
      status: 'pending',
      reason: null,
      accessList: null,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      contactPoints: [
        { category: 'Tilgang', email: 'tilgang@etat.example.no', telephone: '+47 22 00 00 00' },
      ],
    });

    // The owner sees it in its inbox; the consumer in its own list.
    const inbox = await call(
      'GET',
      `${PATH}?role=owner&status=pending&resource=${w.resource}`,
      await ownerAuth(),
    );
    expect(inbox.status).toBe(200);
    expect(inbox.body.data.map((r: Json) => r.id)).toContain(id);
    const mine = await call('GET', `${PATH}?role=consumer`, auth);
    expect(mine.body).toEqual({ links: { next: null }, data: [created.body] });

    // The owner approves.
    const approved = await call('POST', `${PATH}/${id}/approve`, await ownerAuth(), { accessList: w.list });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({
      ...created.body,
      status: 'approved',
      accessList: w.list,
      updatedAt: expect.any(String),
    });

    // Granted and listed, in the database…
    expect(await prisma.scopeGrant.count({ where: { scope: w.scope.name, consumerOrgNumber: org } })).toBe(1);
    const list = await prisma.accessList.findUniqueOrThrow({
      where: { owner_identifier: { owner: w.owner.orgcode, identifier: w.list } },
    });
    expect(await prisma.accessListMember.count({ where: { listId: list.id, orgNumber: org } })).toBe(1);
    const connection = await prisma.accessListConnection.findUniqueOrThrow({
      where: { listId_resourceIdentifier: { listId: list.id, resourceIdentifier: w.resource } },
    });
    expect(connection.actionFilters).toEqual([]);
    const trail = await prisma.auditEntry.findMany({
      where: { objectType: 'access-request', objectId: id },
      orderBy: { id: 'asc' },
    });
    expect(trail.map((a) => [a.action, a.actorOrg, a.ownerOrg])).toEqual([
      ['access-request.create', org, w.owner.orgNumber],
      ['access-request.approve', w.owner.orgNumber, w.owner.orgNumber],
    ]);
    expect(
      await prisma.auditEntry.count({
        where: { action: 'scope-grant.create', after: { path: ['consumer_orgno'], equals: org } },
      }),
    ).toBe(1);

    // …and in effect: consent requests and tokens now work.
    const consent = await call(
      'POST',
      CONSENT_PATH,
      consentApi.auth,
      consentBody({ to: org, resource: w.resource }),
    );
    expect(consent.status).toBe(201);
    const token = await requestToken(t, client);
    expect(token.status).toBe(200);
    expect(token.body.scope.split(' ')).toContain(w.scope.name);

    // Both sides see the outcome.
    const seenByConsumer = await call('GET', `${PATH}/${id}`, auth);
    expect(seenByConsumer.body).toEqual(approved.body);
    const seenByOwner = await call('GET', `${PATH}/${id}`, await ownerAuth());
    expect(seenByOwner.body).toEqual(approved.body);
  });

  it('connects an unconnected list to the resource with no action filter and leaves an existing connection as the owner set it', async () => {
    const listId = uniqueCode('filtered-');
    await putList(w.owner, w.listAuth, listId);
    const put = await call(
      'PUT',
      `${LISTS}/${w.owner.orgcode}/${listId}/resource-connections/${w.resource}`,
      w.listAuth,
      { actionFilters: ['consent'] },
    );
    expect(put.status).toBe(200);
    const r = await pendingRequest();
    const res = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: listId });
    expect(res.status).toBe(200);
    const list = await prisma.accessList.findUniqueOrThrow({
      where: { owner_identifier: { owner: w.owner.orgcode, identifier: listId } },
      include: { connections: true, members: true },
    });
    expect(list.connections.map((c) => c.actionFilters)).toEqual([['consent']]);
    expect(list.members.map((m) => m.orgNumber)).toEqual([r.org]);
  });

  it('accepts the list URN and grants only the scopes on a resource without access lists when no list is named', async () => {
    const viaUrn = await pendingRequest();
    const res = await call('POST', `${PATH}/${viaUrn.id}/approve`, await ownerAuth(), {
      accessList: `urn:altinn:access-list:${w.owner.orgcode}:${w.list}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.accessList).toBe(w.list);

    const before = await prisma.accessListMember.count();
    const scopesOnly = await pendingRequest({ resource: w.open, scopes: [w.scope.name, w.scope2.name] });
    const approved = await call('POST', `${PATH}/${scopesOnly.id}/approve`, await ownerAuth());
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', accessList: null });
    expect(await prisma.accessListMember.count()).toBe(before);
    const grants = await prisma.scopeGrant.findMany({
      where: { consumerOrgNumber: scopesOnly.org },
      orderBy: { scope: 'asc' },
    });
    expect(grants.map((g) => g.scope)).toEqual([w.scope.name, w.scope2.name].sort());
  });
});

describe('asking', () => {
  it('allows one open request per consumer and resource: a second is 409 naming the first, and stores nothing', async () => {
    const first = await pendingRequest();
    const before = await snapshot();
    const res = await call('POST', PATH, first.auth, { resource: w.resource, scopes: [] });
    expectProblem(res, 409, 'AR-00003', new RegExp(first.id));
    expect(res.body.existingRequestId).toBe(first.id);
    expect(await snapshot()).toEqual(before);
  });

  it('allows a new request once the open one is decided', async () => {
    const first = await pendingRequest();
    expect((await call('POST', `${PATH}/${first.id}/withdraw`, first.auth)).status).toBe(200);
    const again = await call('POST', PATH, first.auth, { resource: w.resource, scopes: [w.scope.name] });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.id);
  });

  it('refuses scopes of another owner and unknown scopes in one 400 naming each, storing nothing', async () => {
    const before = await snapshot();
    const res = await call('POST', PATH, await anyToken(orgNumber()), {
      resource: w.resource,
      scopes: [w.scope.name, w.otherScope.name, 'nosuch:scope', Scopes.consentRequestsRead],
    });
    expectProblem(res, 400, 'STD-00000');
    expect(res.body.detail).toContain(`'${w.otherScope.name}'`);
    expect(res.body.detail).toContain("'nosuch:scope'");
    expect(res.body.detail).not.toContain(`'${w.scope.name}'`);
    expect(res.body.validationErrors).toEqual([
      {
        code: 'STD.VLD-00001',
        title: `Scope '${w.otherScope.name}' belongs to another owner than the resource's service owner`,
        paths: ['$.scopes[1]'],
      },
      { code: 'STD.VLD-00001', title: "Scope 'nosuch:scope' does not exist", paths: ['$.scopes[2]'] },
      {
        code: 'STD.VLD-00001',
        title: `Scope '${Scopes.consentRequestsRead}' belongs to another owner than the resource's service owner`,
        paths: ['$.scopes[3]'],
      },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an unknown resource, the caller’s own resource, and malformed bodies with 400, storing nothing', async () => {
    const before = await snapshot();
    const consumerAuth = await anyToken(orgNumber());
    const unknown = await call('POST', PATH, consumerAuth, { resource: 'no-such-resource', scopes: [] });
    expectProblem(unknown, 400, 'STD.VLD-00001', /does not exist/);
    expect(unknown.body.validationErrors[0].paths).toEqual(['$.resource']);

    const own = await call('POST', PATH, await ownerAuth(), { resource: w.resource, scopes: [w.scope.name] });
    expectProblem(own, 400, 'STD.VLD-00001', /belongs to the caller/);

    const malformed = await call('POST', PATH, consumerAuth, {
      resource: 'Bad Id',
      scopes: ['not a scope', 'not a scope'],
      message: 'x'.repeat(2001),
      extra: true,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('STD-00000');
    const paths = (malformed.body.validationErrors as Array<{ paths: string[] }>).flatMap((p) => p.paths);
    expect(new Set(paths)).toEqual(new Set(['$.resource', '$.scopes', '$.message', '$.extra']));

    const missing = await call('POST', PATH, consumerAuth, {});
    expect(missing.status).toBe(400);
    expect(missing.body.validationErrors).toContainEqual(
      expect.objectContaining({ code: 'STD.VLD-00000', paths: ['$.resource'] }),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('needs a valid token (401) but no particular scope', async () => {
    const res = await call('POST', PATH, undefined, { resource: w.resource });
    await expectRefused(res, { status: 401, code: 'AUTH-00401' });
    await expectRefused(await call('GET', PATH, 'Bearer not-a-token'), { status: 401, code: 'AUTH-00401' });
  });
});

describe('deciding: who may', () => {
  it('does not let another owner approve, reject or withdraw (404, nothing changes)', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    const stranger = await anyToken(w.other.orgNumber);
    for (const [action, body] of [
      ['approve', { accessList: w.otherList }],
      ['reject', { reason: 'nei' }],
      ['withdraw', undefined],
    ] as const) {
      const res = await call('POST', `${PATH}/${r.id}/${action}`, stranger, body);
      expectProblem(res, 404, 'AR-00001');
    }
    expectProblem(await call('GET', `${PATH}/${r.id}`, stranger), 404, 'AR-00001');
    expect(await snapshot()).toEqual(before);
  });

  it('does not let a consumer approve or reject its own request (403, nothing changes)', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, r.auth, { accessList: w.list }),
      403,
      'AR-00002',
    );
    expectProblem(await call('POST', `${PATH}/${r.id}/reject`, r.auth, { reason: 'nei' }), 403, 'AR-00002');
    expect(await snapshot()).toEqual(before);
  });

  it('does not let the owner withdraw the consumer’s request (403, nothing changes)', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    expectProblem(await call('POST', `${PATH}/${r.id}/withdraw`, await ownerAuth()), 403, 'AR-00002');
    expect(await snapshot()).toEqual(before);
  });

  it('lets the platform operator read every request but decide none', async () => {
    const r = await pendingRequest();
    const admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const one = await call('GET', `${PATH}/${r.id}`, admin);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(r.id);
    const before = await snapshot();
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, admin, { accessList: w.list }),
      404,
      'AR-00001',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 for an id that is not a UUID and 404 for one that does not exist', async () => {
    const bad = await call('GET', `${PATH}/not-a-uuid`, await ownerAuth());
    expect(bad.status).toBe(400);
    expect(bad.body.validationErrors[0].paths).toEqual(['$.id']);
    expectProblem(
      await call('POST', `${PATH}/00000000-0000-4000-8000-000000000000/approve`, await ownerAuth(), {}),
      404,
      'AR-00001',
    );
  });
});

describe('approving', () => {
  it('refuses an access list of another owner with 403 and grants nothing', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    const plain = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), {
      accessList: w.otherList,
    });
    expectProblem(plain, 403, 'AR-00005', new RegExp(w.otherList));
    const urn = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), {
      accessList: `urn:altinn:access-list:${w.other.orgcode}:${w.otherList}`,
    });
    expectProblem(urn, 403, 'AR-00005');
    expect(await snapshot()).toEqual(before);
    expect(await prisma.scopeGrant.count({ where: { consumerOrgNumber: r.org } })).toBe(0);
  });

  it('refuses a list the owner does not have with 404, and a missing list for an access-list resource with 400', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: 'no-such-list' }),
      404,
      'AR-00006',
      /no-such-list/,
    );
    const missing = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), {});
    expectProblem(missing, 400, 'STD.VLD-00000', /accessList is required/);
    expect(missing.body.validationErrors[0].paths).toEqual(['$.accessList']);
    const malformed = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), {
      accessList: 'Bad List',
      x: 1,
    });
    expect(malformed.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('is idempotent: a second approval answers 200 with the same body, one grant and one audit row', async () => {
    const r = await pendingRequest({ scopes: [w.scope.name, w.scope2.name] });
    const first = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list });
    expect(first.status).toBe(200);
    const after = await snapshot();
    const second = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const third = await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth());
    expect(third.body).toEqual(first.body);
    expect(await snapshot()).toEqual(after);
    expect(await prisma.scopeGrant.count({ where: { consumerOrgNumber: r.org } })).toBe(2);
    expect(
      await prisma.auditEntry.count({
        where: { objectType: 'access-request', objectId: r.id, action: 'access-request.approve' },
      }),
    ).toBe(1);
    expect(
      await prisma.auditEntry.count({
        where: { action: 'scope-grant.create', after: { path: ['consumer_orgno'], equals: r.org } },
      }),
    ).toBe(2);

    // Naming another list on a repeat is not a repeat: 409, nothing changes.
    const otherList = uniqueCode('annen-');
    await putList(w.owner, w.listAuth, otherList);
    const snap = await snapshot();
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: otherList }),
      409,
      'AR-00004',
    );
    expect(await snapshot()).toEqual(snap);
  });

  it('grants once when two approvals race', async () => {
    const r = await pendingRequest();
    const auth = await ownerAuth();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', `${PATH}/${r.id}/approve`, auth, { accessList: w.list })),
    );
    expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200]);
    for (const x of results) expect(x.body).toEqual(results[0].body);
    expect(await prisma.scopeGrant.count({ where: { consumerOrgNumber: r.org } })).toBe(1);
    expect(
      await prisma.auditEntry.count({ where: { objectId: r.id, action: 'access-request.approve' } }),
    ).toBe(1);
  });

  it('ends in exactly one valid state when approve races withdraw', async () => {
    const auth = await ownerAuth();
    const outcomes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await pendingRequest();
      const [approve, withdraw] = await Promise.all([
        call('POST', `${PATH}/${r.id}/approve`, auth, { accessList: w.list }),
        call('POST', `${PATH}/${r.id}/withdraw`, r.auth),
      ]);
      const row = await prisma.accessRequest.findUniqueOrThrow({ where: { id: r.id } });
      const grants = await prisma.scopeGrant.count({ where: { consumerOrgNumber: r.org } });
      const members = await prisma.accessListMember.count({ where: { orgNumber: r.org } });
      expect(row.openKey).toBeNull();
      if (row.status === 'approved') {
        expect([approve.status, withdraw.status]).toEqual([200, 409]);
        expect(withdraw.body.code).toBe('AR-00004');
        expect({ grants, members }).toEqual({ grants: 1, members: 1 });
      } else {
        expect(row.status).toBe('withdrawn');
        expect([approve.status, withdraw.status]).toEqual([409, 200]);
        expect({ grants, members }).toEqual({ grants: 0, members: 0 });
      }
      outcomes.add(row.status);
      const decisions = await prisma.auditEntry.count({
        where: { objectId: r.id, action: { in: ['access-request.approve', 'access-request.withdraw'] } },
      });
      expect(decisions).toBe(1);
    }
    expect([...outcomes].every((s) => s === 'approved' || s === 'withdrawn')).toBe(true);
  });
});

describe('rejecting and withdrawing', () => {
  it('rejects with a reason the consumer sees; repeats answer 200; approving afterwards is 409 and grants nothing', async () => {
    const r = await pendingRequest();
    const rejected = await call('POST', `${PATH}/${r.id}/reject`, await ownerAuth(), {
      reason: 'Bare for banker.',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      id: r.id,
      status: 'rejected',
      reason: 'Bare for banker.',
      accessList: null,
    });
    expect((await call('GET', `${PATH}/${r.id}`, r.auth)).body).toEqual(rejected.body);

    const before = await snapshot();
    const again = await call('POST', `${PATH}/${r.id}/reject`, await ownerAuth(), {
      reason: 'Bare for banker.',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(rejected.body);
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list }),
      409,
      'AR-00004',
      /is rejected/,
    );
    expectProblem(await call('POST', `${PATH}/${r.id}/withdraw`, r.auth), 409, 'AR-00004');
    expect(await snapshot()).toEqual(before);
    expect(await prisma.scopeGrant.count({ where: { consumerOrgNumber: r.org } })).toBe(0);
  });

  it('needs a reason to reject (400, nothing changes)', async () => {
    const r = await pendingRequest();
    const before = await snapshot();
    const res = await call('POST', `${PATH}/${r.id}/reject`, await ownerAuth(), {});
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toContainEqual(
      expect.objectContaining({ code: 'STD.VLD-00000', paths: ['$.reason'] }),
    );
    expect((await call('POST', `${PATH}/${r.id}/reject`, await ownerAuth(), { reason: '' })).status).toBe(
      400,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('lets the consumer withdraw; repeats answer 200; the owner can no longer approve', async () => {
    const r = await pendingRequest();
    const withdrawn = await call('POST', `${PATH}/${r.id}/withdraw`, r.auth);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
    const before = await snapshot();
    expect((await call('POST', `${PATH}/${r.id}/withdraw`, r.auth)).body).toEqual(withdrawn.body);
    expectProblem(
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list }),
      409,
      'AR-00004',
      /is withdrawn/,
    );
    expectProblem(
      await call('POST', `${PATH}/${r.id}/reject`, await ownerAuth(), { reason: 'x' }),
      409,
      'AR-00004',
    );
    expect(await snapshot()).toEqual(before);
    const trail = await prisma.auditEntry.findMany({ where: { objectId: r.id }, orderBy: { id: 'asc' } });
    expect(trail.map((a) => a.action)).toEqual(['access-request.create', 'access-request.withdraw']);
  });
});

describe('listing', () => {
  it('shows a consumer its own requests and an owner those for its resources, filtered by status and role', async () => {
    const org = orgNumber();
    const a = await pendingRequest({ org });
    const b = await pendingRequest({ org, resource: w.open });
    await call('POST', `${PATH}/${b.id}/reject`, await ownerAuth(), { reason: 'nei' });

    const mine = await call('GET', PATH, a.auth);
    expect(mine.body.data.map((r: Json) => r.id)).toEqual([b.id, a.id]);
    const pending = await call('GET', `${PATH}?status=pending`, a.auth);
    expect(pending.body.data.map((r: Json) => r.id)).toEqual([a.id]);
    const asOwner = await call('GET', `${PATH}?role=owner`, a.auth);
    expect(asOwner.body.data).toEqual([]);

    const ownerView = await call('GET', `${PATH}?role=owner&status=rejected`, await ownerAuth());
    expect(ownerView.body.data.map((r: Json) => r.id)).toContain(b.id);
    expect(
      ownerView.body.data.every(
        (r: Json) => r.status === 'rejected' && r.ownerOrgNumber === w.owner.orgNumber,
      ),
    ).toBe(true);

    const strangerView = await call('GET', PATH, await anyToken(w.other.orgNumber));
    expect(strangerView.body.data.map((r: Json) => r.id)).not.toContain(a.id);
  });

  it('pages 100 at a time, newest first, without gaps or repeats', async () => {
    const resource = await createResource(t, w.owner);
    const ids = new Set<string>();
    for (let batch = 0; batch < 7; batch++) {
      const made = await Promise.all(
        Array.from({ length: 15 }, () => pendingRequest({ resource: resource.identifier, scopes: [] })),
      );
      made.forEach((m) => ids.add(m.id));
    }
    expect(ids.size).toBe(105);
    const seen: string[] = [];
    const auth = await ownerAuth();
    let next: string | null = `${t.url}${PATH}?role=owner&resource=${resource.identifier}`;
    let pages = 0;
    while (next) {
      const res = await fetch(next.replace(t.config.publicUrl, t.url), { headers: { authorization: auth } });
      const body = (await res.json()) as {
        links: { next: string | null };
        data: Array<{ id: string; createdAt: string }>;
      };
      expect(res.status).toBe(200);
      seen.push(...body.data.map((r) => r.id));
      const times = body.data.map((r) => r.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      next = body.links.next;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.length).toBe(105);
    expect(new Set(seen)).toEqual(ids);
  });

  it('refuses a bad continuation token or filter with 400', async () => {
    const auth = await ownerAuth();
    const token = await call('GET', `${PATH}?continuationToken=garbage`, auth);
    expectProblem(token, 400, 'STD.VLD-00001');
    expect(token.body.validationErrors[0].paths).toEqual(['$.continuationToken']);
    const status = await call('GET', `${PATH}?status=open`, auth);
    expect(status.status).toBe(400);
    expect(status.body.validationErrors[0].paths).toEqual(['$.status']);
    await expectRefused(await call('GET', `${PATH}?role=admin`, auth), { status: 400, field: '$.role' });
    await expectRefused(await call('GET', `${PATH}?nope=1`, auth), {
      status: 400,
      code: 'STD.VLD-00002',
      field: '$.nope',
    });
  });
});

describe('events', () => {
  it('runs outbox writers inside every change and tells subscribers after it commits', async () => {
    const seen: AccessRequestEvent[] = [];
    const committed: string[] = [];
    const statusInTx: string[] = [];
    let listening = true;
    t.app.get(ChangeBus).subscribe((e) => {
      if (listening && e.topic === 'access-request') committed.push(e.id);
    });
    const offHook = t.app
      .get(ChangeLogService)
      .useOutbox<AccessRequestEvent>('access-request', async (tx, c) => {
        const row = await tx.accessRequest.findUniqueOrThrow({ where: { id: c.payload!.request.id } });
        statusInTx.push(row.status);
        seen.push(c.payload!);
      });
    try {
      const r = await pendingRequest();
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list });
      await call('POST', `${PATH}/${r.id}/approve`, await ownerAuth(), { accessList: w.list }); // repeat: no event
      const s = await pendingRequest();
      await call('POST', `${PATH}/${s.id}/reject`, await ownerAuth(), { reason: 'nei' });
      const u = await pendingRequest();
      await call('POST', `${PATH}/${u.id}/withdraw`, u.auth);
      expect(seen.map((e) => [e.type, e.request.id, e.request.status])).toEqual([
        ['access-request.created', r.id, 'pending'],
        ['access-request.approved', r.id, 'approved'],
        ['access-request.created', s.id, 'pending'],
        ['access-request.rejected', s.id, 'rejected'],
        ['access-request.created', u.id, 'pending'],
        ['access-request.withdrawn', u.id, 'withdrawn'],
      ]);
      expect(statusInTx).toEqual(['pending', 'approved', 'pending', 'rejected', 'pending', 'withdrawn']);
      expect(seen[1].parties).toEqual({ consumer: r.org, owner: w.owner.orgNumber });
      expect(new Set(seen.map((e) => e.id)).size).toBe(6);
      expect(committed).toEqual([r.id, r.id, s.id, s.id, u.id, u.id]);
    } finally {
      listening = false;
      offHook();
    }
  });
});

describe('resource fields the access request relies on', () => {
  it('refuses a contact point with a bad e-mail address (400) and stores no resource', async () => {
    const body = resourceBody(w.owner, { contactPoints: [{ category: 'Tilgang', email: 'not-an-email' }] });
    const res = await fetch(`${t.url}/resourceregistry/api/v1/resource`, {
      method: 'POST',
      headers: { authorization: w.owner.auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = (await res.json()) as Json;
    expect(res.status).toBe(400);
    expect(problem.validationErrors).toContainEqual(
      expect.objectContaining({ code: 'STD.VLD-00001', paths: ['$.contactPoints[0].email'] }),
    );
    expect(await prisma.resource.count({ where: { identifier: body.identifier as string } })).toBe(0);
  });

  it('defaults consentRoles to DAGL and LEDE and keeps validated contact points', async () => {
    const res = await fetch(`${t.url}/resourceregistry/api/v1/resource/${w.resource}`);
    const body = (await res.json()) as Json;
    expect(body.consentRoles).toEqual(['DAGL', 'LEDE']);
    expect(body.contactPoints).toEqual([
      { category: 'Tilgang', email: 'tilgang@etat.example.no', telephone: '+47 22 00 00 00' },
    ]);
  });
});

describe('Swagger', () => {
  it("documents the consumer's and the owner's routes with examples", async () => {
    const doc = (await (await fetch(`${t.url}/docs-json`)).json()) as Json;
    const paths = doc.paths as Record<string, Record<string, Json>>;
    expect(
      Object.keys(paths)
        .filter((p) => p.startsWith(PATH))
        .sort(),
    ).toEqual([PATH, `${PATH}/{id}`, `${PATH}/{id}/approve`, `${PATH}/{id}/reject`, `${PATH}/{id}/withdraw`]);
    const create = paths[PATH].post;
    expect(create.summary).toMatch(/^Consumer:/);
    expect(Object.keys(create.requestBody.content['application/json'].examples)).toEqual([
      'scopeAndList',
      'listOnly',
    ]);
    expect(create.responses['201'].content['application/json'].example.status).toBe('pending');
    const list = paths[PATH].get;
    expect(Object.keys(list.responses['200'].content['application/json'].examples)).toEqual([
      'owner',
      'consumer',
    ]);
    const approve = paths[`${PATH}/{id}/approve`].post;
    expect(approve.summary).toMatch(/^Owner:/);
    expect(approve.responses['200'].content['application/json'].example).toMatchObject({
      status: 'approved',
      accessList: 'banker',
    });
    expect(Object.keys(approve.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409']);
    expect(paths[`${PATH}/{id}/withdraw`].post.summary).toMatch(/^Consumer:/);
    expect(approve.security).toEqual([{ bearer: [] }, { 'admin-login': [] }]);
  });
});
