/**
 * Altinn's own test world, rebuilt through our APIs for the ported tests in test/e2e/altinn/:
 * the parties of Altinn's party mock (AccessMgmt.Tests Moqdata/MockParyRepositoryPopulator.cs and
 * the entities its consent tests seed), the consent resources of its resource-registry mock
 * (Data/ResourceRegistryResources/ttd_*) with the same identifiers, metadata keys, delegability and
 * access-list mode, and its consent-request fixtures (Data/Consent/*.json, translated in
 * test/fixtures/altinn/consent-requests.json). Altinn's tests permit every PDP call; here the
 * consumers are on the resources' access list instead, which is what that permit stands for.
 *
 * Where the world cannot be the same, the mapping is explicit: Altinn's templates `sblanesoknad`
 * and `sblanesoknad2` become our seeded `default` and `poa` (two different templates, which is
 * what its IncompatibleTemplates test needs); organisations get names through the owner registry
 * (our stand-in for the Central Coordinating Register).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { CONSENT_PATH, http, sql, type HttpResult } from './consent-fixtures.js';
import { csrfOf, devLogin, grantOrgRoles, type FormClient } from './portal-fixtures.js';
import { ADMIN_ORG, createResource, RESOURCE_WRITE, type TestOwner } from './registry.js';

/** Organisations of Altinn's party mock. */
export const ORG = {
  smekkFullBank: '810419512',
  digitaliseringsdirektoratet: '991825827',
  kolsaasOgFlaam: '810418192',
  lepsoyOgTonstad: '910493353',
} as const;

/** Persons of Altinn's party mock; `nonExisting` is checksum-valid but in no register. */
export const PERSON = {
  elenaFjaer: '01025161013',
  kariNordmann: '01025181049',
  nonExisting: '01014922047',
} as const;

export const orgUrn = (org: string) => `urn:altinn:organization:identifier-no:${org}`;
export const personUrn = (pid: string) => `urn:altinn:person:identifier-no:${pid}`;

/** The resource of the k6 consent tests (K6/api/tests/access-management/consent/commons.js). */
export const K6_RESOURCE = 'samtykke-performance-test';

const NAMES: Record<string, { orgcode: string; name: string }> = {
  [ORG.digitaliseringsdirektoratet]: { orgcode: 'ttd', name: 'Testdepartement' },
  [ORG.smekkFullBank]: { orgcode: 'smekkfull', name: 'SmekkFull Bank AS' },
  [ORG.kolsaasOgFlaam]: { orgcode: 'kolsaas', name: 'KOLSAAS OG FLAAM' },
  [ORG.lepsoyOgTonstad]: { orgcode: 'lepsoy', name: 'LEPSØY OG TONSTAD' },
};

const text = (nb: string, en = nb) => ({ nb, nn: nb, en });
const required = { optional: false };

/** Altinn's skattegrunnlag resources: metadata `fraogmed` and `tilogmed`, both required. */
const taxBase = (nb: string, en: string, consentTemplate: string) => ({
  title: text(nb, en),
  consentTemplate,
  consentMetadata: { fraogmed: required, tilogmed: required },
  consentText: text(
    'Skattegrunnlaget ditt fra {fraogmed} til {tilogmed}.',
    'Your tax base from {fraogmed} to {tilogmed}.',
  ),
});

/**
 * The consent resources, keyed by Altinn's identifiers. Titles are the names Altinn's consent
 * tests seed them with (its registry mock gives them all one generic title).
 */
const RESOURCES: Record<string, Record<string, unknown>> = {
  ttd_inntektsopplysninger: {
    title: text('Inntektsopplysninger', 'Income information'),
    consentTemplate: 'default', // Altinn: sblanesoknad
    consentMetadata: { inntektsaar: required },
    consentText: text('Inntekten din for {inntektsaar}.', 'Your income for {inntektsaar}.'),
  },
  ttd_skattegrunnlag: taxBase('Skattegrunnlag', 'Tax base', 'default'), // Altinn: sblanesoknad
  ttd_skattegrunnlag2: taxBase('Skattegrunnlag 2', 'Tax base 2', 'poa'), // Altinn: sblanesoknad2
  // Altinn's mock gives ttd_skattegrunnlag3 sblanesoknad2, but its fixture 2fe8bd3e… combines it
  // with ttd_inntektsopplysninger under sblanesoknad (its repository inserts it unvalidated); a
  // request made through the API needs one template, so it is the fixture's here.
  ttd_skattegrunnlag3: { ...taxBase('Skattegrunnlag3', 'Tax base 3', 'default'), delegable: false },
  ttd_navnescore: {
    title: text('Navnescore', 'Name score'),
    consentTemplate: 'default',
    consentMetadata: {},
    consentText: text('Navnescoren din.', 'Your name score.'),
  },
  [K6_RESOURCE]: {
    title: text('Samtykke ytelsestest', 'Consent performance test'),
    consentTemplate: 'default',
    consentMetadata: { inntektsaar: required },
    consentText: text('Inntekten din for {inntektsaar}.', 'Your income for {inntektsaar}.'),
  },
};

export interface AltinnWorld {
  /** `ttd`, org 991825827, the competent authority of every resource. */
  owner: TestOwner;
  resources: string[];
}

async function putOwner(t: TestApp, orgNumber: string): Promise<void> {
  const { orgcode, name } = NAMES[orgNumber];
  const res = await fetch(`${t.url}/admin/v1/owners/${orgcode}`, {
    method: 'PUT',
    headers: {
      authorization: await bearer(t, { org: ADMIN_ORG, scope: Scopes.admin }),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ orgNumber, name: text(name) }),
  });
  if (res.status !== 201) throw new Error(`owner ${orgcode}: ${res.status} ${await res.text()}`);
}

/**
 * Registers the organisations, the `ttd` resources (access list enabled) and one access list
 * holding every consumer of Altinn's tests, connected to all of them. Elena Fjær holds DAGL for
 * Lepsøy og Tonstad, so she may answer its fixtures' requests (Altinn's PDP mock permits her).
 */
export async function altinnWorld(t: TestApp): Promise<AltinnWorld> {
  for (const org of Object.keys(NAMES)) await putOwner(t, org);
  const ttd = ORG.digitaliseringsdirektoratet;
  const owner: TestOwner = {
    orgcode: 'ttd',
    orgNumber: ttd,
    auth: await bearer(t, { org: ttd, scope: RESOURCE_WRITE }),
  };
  for (const [identifier, body] of Object.entries(RESOURCES))
    await createResource(t, owner, {
      identifier,
      description: text('Ressurs i Altinns testverden', 'A resource of Altinn’s test world'),
      accessListMode: 'Enabled',
      resourceReferences: [],
      contactPoints: [],
      ...body,
    });

  const lists = `${t.url}/resourceregistry/api/v1/access-lists/ttd/consent-consumers`;
  const listAuth = await bearer(t, { org: ttd, scope: [Scopes.accessListWrite, Scopes.accessListRead] });
  const send = async (method: string, url: string, body: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { authorization: listAuth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  };
  await send('PUT', lists, { name: 'Consent consumers', description: 'Who may request consent' });
  await send('POST', `${lists}/members`, { data: Object.values(ORG).map(orgUrn) });
  for (const identifier of Object.keys(RESOURCES))
    await send('PUT', `${lists}/resource-connections/${identifier}`, { actionFilters: ['requestconsent'] });

  await grantOrgRoles(t, ORG.lepsoyOgTonstad, PERSON.elenaFjaer, ['DAGL']);
  return { owner, resources: Object.keys(RESOURCES) };
}

/** `Authorization` with a consumer-API token (Altinn's PrincipalUtil.GetOrgToken / GetMaskinportenToken). */
export function orgToken(
  t: TestApp,
  org: string,
  scope: string | string[],
  supplier?: string,
): Promise<string> {
  return bearer(t, { org, scope, supplier });
}

// ───────────── the consent-request fixtures ─────────────

interface Fixture {
  id: string;
  from: string;
  to: string;
  requiredDelegator?: string;
  handledBy?: string;
  validTo: string;
  requestMessage?: Record<string, string>;
  consentRights: unknown[];
  portalViewMode: string;
  redirectUrl: string;
}

const FIXTURES = JSON.parse(
  readFileSync(path.join(process.cwd(), 'test/fixtures/altinn/consent-requests.json'), 'utf8'),
) as Record<string, Fixture>;

const orgOf = (urn: string) => urn.replace(/^urn:altinn:organization:identifier-no:/, '');

/**
 * Creates Altinn's fixture `file` (consent_request_<file>.json) through the consumer API, as
 * Altinn's repository `CreateRequest` does in its tests: `validTo` as the test sets it (in the past
 * means: created valid, then moved into the past and swept, as time would), `handledBy` by the
 * handling organisation with `altinn:consentrequests.org`, otherwise by `to` itself.
 */
export async function createFixture(
  t: TestApp,
  file: string,
  o: { validTo: Date; id?: string },
): Promise<{ id: string; created: HttpResult }> {
  const f = FIXTURES[file];
  if (!f) throw new Error(`no Altinn fixture ${file}`);
  const id = o.id ?? f.id;
  const caller = f.handledBy ? orgOf(f.handledBy) : orgOf(f.to);
  const scope = f.handledBy ? Scopes.consentRequestsOrg : Scopes.consentRequestsWrite;
  const past = o.validTo.getTime() <= Date.now();
  const created = await http(t, 'POST', CONSENT_PATH, await orgToken(t, caller, scope), {
    id,
    from: f.from,
    to: f.to,
    requiredDelegator: f.requiredDelegator ?? null,
    validTo: (past ? new Date(Date.now() + 86_400_000) : o.validTo).toISOString(),
    consentRights: f.consentRights,
    requestMessage: f.requestMessage ?? null,
    redirectUrl: f.redirectUrl,
    portalViewMode: f.portalViewMode,
  });
  if (created.status !== 201)
    throw new Error(`fixture ${file}: ${created.status} ${JSON.stringify(created.body)}`);
  if (past) await moveIntoPast(t, id, o.validTo);
  return { id, created };
}

/** Moves `valid_to` into the past (test setup only) and lets the sweeper expire the request. */
export async function moveIntoPast(t: TestApp, id: string, validTo: Date): Promise<void> {
  await sql(t, 'UPDATE consent_requests SET valid_to = $2 WHERE id = $1', [id, validTo]);
  await t.app.get(ConsentExpirySweeper).sweepAll();
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000);

// ───────────── the end user (Altinn's BFF calls, through our portal forms) ─────────────

/** Elena Fjær logged in to the portal (Altinn's `PrincipalUtil.GetToken(…, d5b861c8…)`). */
export function elena(t: TestApp): Promise<FormClient> {
  return devLogin(t, PERSON.elenaFjaer);
}

/** Opens the request page and posts its accept or reject form, as the person's browser does. */
export async function decide(c: FormClient, id: string, accept: boolean, lang = 'nb') {
  const page = await c.get(`/consent/request?id=${id}&lang=${lang}`);
  if (page.status !== 200) return page;
  return c.post(`/consent/request/${id}/${accept ? 'accept' : 'reject'}`, { _csrf: csrfOf(page.body), lang });
}

/** Posts the revoke form of the person's consent list. */
export async function revoke(c: FormClient, id: string, lang = 'nb') {
  const list = await c.get(`/consent/active?lang=${lang}`);
  return c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(list.body), lang });
}

/** The request as its consumer reads it (`GET /consentrequests/{id}`). */
export async function asConsumer(
  t: TestApp,
  id: string,
  org: string = ORG.smekkFullBank,
): Promise<HttpResult> {
  return http(t, 'GET', `${CONSENT_PATH}/${id}`, await orgToken(t, org, Scopes.consentRequestsRead));
}
