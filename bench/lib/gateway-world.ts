/**
 * The gateway bench's world: a temporary database (PostgreSQL or embedded PGlite) and, through the
 * real APIs of a running gateway, the owner, consent resource, protected API and accepted consent
 * that every bench line calls.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { orgClaim, type BenchIssuer } from './issuer.js';

export const ADMIN_ORG = '991825827';
export const OWNER_ORG = '974761076';
export const CONSUMER_ORG = '923609016';
export const SUBJECT = 'urn:altinn:person:identifier-no:02013299997';

export interface Database {
  env: Record<string, string>;
  url(): string;
  label: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server the benches use: BENCH_DATABASE_URL, else DATABASE_URL; unset → embedded PGlite. */
export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export async function benchDatabase(): Promise<Database> {
  const base = benchDatabaseUrl();
  if (base) {
    const name = `${process.env.BENCH_DB_PREFIX ?? 'consentgw_bench'}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: u.toString() },
      url: () => u.toString(),
      label: 'PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL, temporary database)',
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'consentgw-bench-'));
  return {
    env: { DATA_DIR: dir },
    url: () =>
      (JSON.parse(readFileSync(path.join(dir, 'embedded-server.json'), 'utf8')) as { url: string }).url,
    label: 'embedded PGlite (in the gateway process)',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function api(base: string, method: string, p: string, token: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Owner, consent resource, protected API and an accepted consent, through the real APIs (the consent row directly). */
export async function setUp(
  base: string,
  issuer: BenchIssuer,
  db: Database,
  upstreamPort: number,
): Promise<Record<string, unknown>> {
  const admin = issuer.token({ consumer: orgClaim(ADMIN_ORG), scope: 'consentgw:admin', client_id: 'bench' });
  const orgcode = `bench${randomBytes(3).toString('hex')}`;
  await api(base, 'PUT', `/admin/v1/owners/${orgcode}`, admin, {
    orgNumber: OWNER_ORG,
    name: { nb: 'Bench', nn: 'Bench', en: 'Bench' },
  });
  const owner = issuer.token({
    consumer: orgClaim(OWNER_ORG),
    scope: 'altinn:resourceregistry/resource.write',
    client_id: 'bench',
  });
  const resource = `bench-${randomBytes(3).toString('hex')}`;
  await api(base, 'POST', '/resourceregistry/api/v1/resource', owner, {
    identifier: resource,
    title: { nb: 'Inntekt', nn: 'Inntekt', en: 'Income' },
    description: { nb: 'Inntekt', en: 'Income' },
    hasCompetentAuthority: { orgcode },
    resourceType: 'Consent',
    consentTemplate: 'default',
    consentText: {
      nb: 'Inntekt for {inntektsaar}.',
      nn: 'Inntekt for {inntektsaar}.',
      en: 'Income for {inntektsaar}.',
    },
    consentMetadata: { inntektsaar: { optional: false } },
    isOneTimeConsent: false,
    accessListMode: 'Disabled',
    resourceReferences: [
      { referenceSource: 'Default', reference: `${orgcode}:inntekt`, referenceType: 'MaskinportenScope' },
    ],
    contactPoints: [
      { category: 'Tilgang', email: 'tilgang@example.no', contactPage: 'https://example.no/tilgang' },
    ],
  });
  const scope = `${orgcode}:inntekt`;
  await api(base, 'POST', '/admin/v1/apis', owner, {
    name: 'inntekt',
    upstreamUrl: `http://127.0.0.1:${upstreamPort}/api`,
    requiredScopes: [scope],
    consentResources: [resource],
    subject: { in: 'header', name: 'X-Subject' },
  });

  const id = randomUUID();
  const validTo = new Date(Date.now() + 24 * 3600 * 1000);
  const consented = new Date(Date.now() - 60_000);
  const rights = [
    {
      action: ['consent'],
      resource: [{ type: 'urn:altinn:resource', value: resource }],
      metadata: { inntektsaar: '2024' },
    },
  ];
  const c = new pg.Client({ connectionString: db.url() });
  await c.connect();
  await c.query(
    `INSERT INTO consent_requests (id, from_party, to_org, valid_to, consent_rights, resources, resource_versions,
       template_id, template_version, redirect_url, status, consented)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'default', 1, 'https://bank.example/done', 'accepted', $8)`,
    [
      id,
      SUBJECT,
      CONSUMER_ORG,
      validTo,
      JSON.stringify(rights),
      [resource],
      JSON.stringify({ [resource]: randomUUID() }),
      consented,
    ],
  );
  await c.end();
  return {
    consumer: orgClaim(CONSUMER_ORG),
    scope,
    client_id: 'bench-client',
    authorization_details: [
      {
        type: 'urn:altinn:consent',
        id,
        from: SUBJECT,
        to: orgClaim(CONSUMER_ORG),
        consented: consented.toISOString(),
        validTo: validTo.toISOString(),
        consentRights: rights,
      },
    ],
  };
}
