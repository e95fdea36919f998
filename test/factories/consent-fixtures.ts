/**
 * Consent fixtures over real HTTP: an owner with consent resources (through the registry API), a
 * consumer with consent-API tokens, consent-request bodies, and helpers to count what the
 * database holds so every refused request can prove that nothing was stored.
 */
import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, personNumber } from './orgs.js';
import { createResource, registerOwner, type TestOwner } from './registry.js';

export const CONSENT_PATH = '/accessmanagement/api/v1/enterprise/consentrequests';
export const LOOKUP_PATH = '/accessmanagement/api/v1/maskinporten/consent/lookup';
export const orgUrnOf = (org: string) => `urn:altinn:organization:identifier-no:${org}`;
export const personUrnOf = (pid: string) => `urn:altinn:person:identifier-no:${pid}`;

export interface HttpResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies and rows are checked by the assertions
  body: any;
}

export async function http(
  t: TestApp,
  method: string,
  path: string,
  auth?: string,
  body?: unknown,
): Promise<HttpResult> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface Consumer {
  org: string;
  /** read + write. */
  auth: string;
  read: string;
  write: string;
}

export async function consumer(
  t: TestApp,
  org = orgNumber(),
  extra: string[] = [],
  supplier?: string,
): Promise<Consumer> {
  return {
    org,
    auth: await bearer(t, {
      org,
      supplier,
      scope: [Scopes.consentRequestsRead, Scopes.consentRequestsWrite, ...extra],
    }),
    read: await bearer(t, { org, supplier, scope: [Scopes.consentRequestsRead] }),
    write: await bearer(t, { org, supplier, scope: [Scopes.consentRequestsWrite] }),
  };
}

export interface ConsentWorld {
  owner: TestOwner;
  /** Consent resource with required metadata `inntektsaar` and optional `kilde`, template default. */
  resource: string;
  /** A second resource on the same template, no metadata. */
  plain: string;
  /** A resource on the `poa` template. */
  poa: string;
  /** A one-time resource. */
  oneTime: string;
  consumer: Consumer;
}

export async function consentWorld(t: TestApp): Promise<ConsentWorld> {
  const owner = await registerOwner(t);
  const resource = await createResource(t, owner, {
    consentMetadata: { inntektsaar: { optional: false }, kilde: { optional: true } },
  });
  const plain = await createResource(t, owner, {
    consentMetadata: {},
    consentText: { nb: 'Data.', nn: 'Data.', en: 'Data.' },
  });
  const poa = await createResource(t, owner, { consentTemplate: 'poa' });
  const oneTime = await createResource(t, owner, { isOneTimeConsent: true });
  return {
    owner,
    resource: resource.identifier,
    plain: plain.identifier,
    poa: poa.identifier,
    oneTime: oneTime.identifier,
    consumer: await consumer(t),
  };
}

export function consentBody(o: {
  to: string;
  resource: string;
  from?: string;
  id?: string;
  metadata?: Record<string, string> | null;
  validTo?: string;
  [k: string]: unknown;
}): Record<string, unknown> {
  const { to, resource, from, id, metadata, validTo, ...rest } = o;
  return {
    id: id ?? randomUUID(),
    from: from ?? personUrnOf(personNumber()),
    requiredDelegator: null,
    to: orgUrnOf(to),
    validTo: validTo ?? new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: resource }],
        metadata: metadata === undefined ? { inntektsaar: '2024' } : metadata,
      },
    ],
    requestMessage: { nb: 'Vi ber om samtykke', en: 'Please consent' },
    redirectUrl: 'https://bank.example/done',
    portalViewMode: 'hide',
    ...rest,
  };
}

/** Creates a consent request and returns its DTO (throws unless 201). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies and rows are checked by the assertions
export async function createConsent(t: TestApp, auth: string, body: Record<string, unknown>): Promise<any> {
  const res = await http(t, 'POST', CONSENT_PATH, auth, body);
  if (res.status !== 201) throw new Error(`createConsent: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Opens a raw pg client on the test database (for counting rows and for ordering tests). */
export async function rawClient(t: TestApp): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  return c;
}

export interface ConsentCounts {
  requests: number;
  events: number;
  receipts: number;
  audit: number;
}

export async function consentCounts(t: TestApp): Promise<ConsentCounts> {
  const c = await rawClient(t);
  try {
    const { rows } = await c.query<{ requests: string; events: string; receipts: string; audit: string }>(`
      SELECT (SELECT count(*) FROM consent_requests) AS requests,
             (SELECT count(*) FROM consent_events) AS events,
             (SELECT count(*) FROM consent_receipts) AS receipts,
             (SELECT count(*) FROM audit_log WHERE object_type = 'consent') AS audit`);
    const r = rows[0];
    return {
      requests: Number(r.requests),
      events: Number(r.events),
      receipts: Number(r.receipts),
      audit: Number(r.audit),
    };
  } finally {
    await c.end();
  }
}

/** Runs SQL on the test database (test setup only, e.g. moving `valid_to` into the past). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies and rows are checked by the assertions
export async function sql(t: TestApp, text: string, values: unknown[] = []): Promise<any[]> {
  const c = await rawClient(t);
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

export const problemBody = (
  status: number,
  code: string,
  title: string,
  detail: string,
  validationErrors?: { code: string; title: string; paths: string[] }[],
): Record<string, unknown> => ({
  type: /^AM[.-]/.test(code) ? `urn:altinn:error:${code}` : `urn:consentgw:error:${code}`,
  title,
  status,
  detail,
  code,
  traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
  ...(validationErrors ? { validationErrors } : {}),
});

/**
 * Sweeps and waits until the request is stored as expired. The test apps also sweep in the
 * background; once the status is visible, its event and audit row are too (same transaction).
 */
export async function expiredInDb(t: TestApp, id: string): Promise<void> {
  const sweeper = t.app.get(ConsentExpirySweeper);
  for (let i = 0; i < 100; i++) {
    await sweeper.sweepAll();
    const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
    if (row?.status === 'expired') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`consent ${id} was not expired`);
}

export const EVENTS_PATH = `${CONSENT_PATH}/events`;

export interface FeedItem {
  consentRequestId: string;
  eventType: string;
  changedDate: string;
}

/**
 * Reads the events feed from `start` the way Altinn pages it (DESIGN §11): follows `links.next`
 * through full pages until a page without one. Returns every item, the number of pages and the
 * URL of the last page read (where a poller asks again).
 */
export async function walkFeed(
  t: TestApp,
  auth: string,
  start = EVENTS_PATH,
): Promise<{ items: FeedItem[]; pages: number; last: string }> {
  const items: FeedItem[] = [];
  let pages = 0;
  let link = start;
  for (;;) {
    const res = await http(t, 'GET', link, auth);
    expect(res.status).toBe(200);
    pages++;
    items.push(...(res.body.data as FeedItem[]));
    const next = res.body.links.next as string | null;
    if (!next) return { items, pages, last: link };
    link = next;
  }
}

/**
 * A client that polls the feed for what is new, as a consumer of Altinn's feed must: `next` is
 * null on a shorter page, so it asks for that page's URL again and skips the events it has
 * already seen (an event type happens at most once per consent request, so consentRequestId and
 * eventType name an event).
 */
export class FeedPoller {
  private readonly seen = new Set<string>();

  constructor(
    private readonly t: TestApp,
    private readonly auth: string,
    private link = EVENTS_PATH,
  ) {}

  async poll(): Promise<FeedItem[]> {
    const { items, last } = await walkFeed(this.t, this.auth, this.link);
    this.link = last;
    const fresh = items.filter((i) => !this.seen.has(`${i.consentRequestId}/${i.eventType}`));
    for (const i of fresh) this.seen.add(`${i.consentRequestId}/${i.eventType}`);
    return fresh;
  }
}
