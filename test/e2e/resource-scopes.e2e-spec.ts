/**
 * The scopes a consent resource names (`resourceReferences[]`, `referenceType:
 * "MaskinportenScope"`) are its owner's own (red-team finding RT3-8): another organisation's
 * scope, a name under another organisation's prefix and a platform scope are 400 naming
 * `$.resourceReferences[i].reference`, on POST and PUT, with nothing stored. A scope not created
 * yet under the owner's own (or a still unclaimed) prefix stays allowed: owners may register
 * the resource first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../src/common/auth/scopes.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { uniqueCode } from '../factories/orgs.js';
import { createResource, registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';
import { createScope, type TestScope } from '../factories/token-fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const BASE = '/resourceregistry/api/v1/resource';

let t: TestApp;
let prisma: PrismaService;
let ownerA: TestOwner;
let ownerB: TestOwner;
let scopeA: TestScope;
let scopeB: TestScope;

beforeAll(async () => {
  t = await createTestApp();
  prisma = t.app.get(PrismaService);
  ownerA = await registerOwner(t);
  ownerB = await registerOwner(t);
  scopeA = await createScope(t, { ownerOrg: ownerA.orgNumber });
  scopeB = await createScope(t, { ownerOrg: ownerB.orgNumber });
});

afterAll(async () => {
  await t?.close();
});

const prefixOf = (name: string) => name.slice(0, name.indexOf(':'));
const refs = (...names: string[]) =>
  names.map((reference) => ({ referenceSource: 'Default', reference, referenceType: 'MaskinportenScope' }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of several shapes; the assertions check it
async function send(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: ownerA.auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** What a refused write must leave untouched. */
async function snapshot() {
  return {
    resources: await prisma.resource.count(),
    versions: await prisma.resourceVersion.count(),
    audit: await prisma.auditEntry.count(),
  };
}

const refused = (i: number, title: string) => ({
  code: 'STD.VLD-00001',
  title: `${title}; a resource may name only scopes of its own service owner ('${ownerA.orgcode}')`,
  paths: [`$.resourceReferences[${i}].reference`],
});

describe('a resource names its own scopes', () => {
  it('accepts the owner’s scope, a scope not created yet under its prefix, and one under an unclaimed prefix', async () => {
    const unclaimed = `${uniqueCode('q').slice(0, 20)}:later`;
    const res = await send(
      'POST',
      BASE,
      resourceBody(ownerA, {
        resourceReferences: refs(scopeA.name, `${prefixOf(scopeA.name)}:notyet`, unclaimed),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.resourceReferences.map((r: { reference: string }) => r.reference)).toEqual([
      scopeA.name,
      `${prefixOf(scopeA.name)}:notyet`,
      unclaimed,
    ]);
  });
});

describe('RT3-8: another owner’s scope is refused', () => {
  it('on POST: another organisation’s scope, a name under its prefix and a platform scope, each named; nothing stored', async () => {
    const before = await snapshot();
    const body = resourceBody(ownerA, {
      resourceReferences: refs(
        scopeB.name,
        scopeA.name,
        `${prefixOf(scopeB.name)}:notyet`,
        Scopes.consentRequestsRead,
        'altinn:notaplatformscope',
      ),
    });
    const res = await send('POST', BASE, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'STD-00000' });
    expect(res.body.validationErrors).toEqual([
      refused(0, `Scope '${scopeB.name}' belongs to another organisation`),
      refused(
        2,
        `The scope prefix '${prefixOf(scopeB.name)}' of '${prefixOf(scopeB.name)}:notyet' belongs to another organisation`,
      ),
      refused(3, `Scope '${Scopes.consentRequestsRead}' has a prefix reserved for the platform ('altinn')`),
      refused(4, `Scope 'altinn:notaplatformscope' has a prefix reserved for the platform ('altinn')`),
    ]);
    expect(await snapshot()).toEqual(before);
    expect((await fetch(`${t.url}${BASE}/${body.identifier as string}`)).status).toBe(404);
  });

  it('on PUT: adding another organisation’s scope to an existing resource is 400 and the resource is unchanged', async () => {
    const v1 = await createResource(t, ownerA, { resourceReferences: refs(scopeA.name) });
    const before = await snapshot();
    const res = await send('PUT', `${BASE}/${v1.identifier}`, {
      ...v1,
      resourceReferences: refs(scopeA.name, scopeB.name),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'STD.VLD-00001' });
    expect(res.body.validationErrors).toEqual([
      refused(1, `Scope '${scopeB.name}' belongs to another organisation`),
    ]);
    expect(await snapshot()).toEqual(before);
    expect(await (await fetch(`${t.url}${BASE}/${v1.identifier}`)).json()).toEqual(v1);
  });

  it('the owner whose scope it is may name it (the rule is ownership, not a ban on the name)', async () => {
    const auth = ownerB.auth;
    const res = await fetch(`${t.url}${BASE}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(resourceBody(ownerB, { resourceReferences: refs(scopeB.name) })),
    });
    expect(res.status).toBe(201);
  });
});
