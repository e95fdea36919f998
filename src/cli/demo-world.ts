import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { TokenSignerService } from '../tokens/token-signer.service.js';

/** Who plays which part in the demo (the guides' cast). */
export const DEMO = {
  operator: '991825827', // Digdir, the platform operator
  owner: '974761076', // Skatteetaten, the service owner (org code skd)
  consumer: '923609016', // a bank
  person: '02013299997', // a synthetic test person (Tenor)
  resource: 'skd-inntekt',
  api: 'inntekt',
} as const;

export interface DemoWorld {
  clientId: string;
  kid: string;
  privateKeyPem: string;
  consentId: string;
  viewUri: string;
}

/**
 * Seeds the world through the service's own HTTP API, as the guides do by hand: the owner, its
 * scope, resource, access list with the bank on it, the API behind the gateway, the bank's
 * grants and client with a fresh key, and one consent request waiting for the person.
 */
export async function seedDemoWorld(
  base: string,
  signer: TokenSignerService,
  upstreamUrl: string,
): Promise<DemoWorld> {
  const token = async (org: string, scope: string) =>
    (await signer.sign({ consumer: org, scope, clientId: `demo:${org}`, clientAmr: 'cli', ttlSeconds: 600 }))
      .token;
  const admin = await token(DEMO.operator, 'consentgw:admin');
  const owner = await token(
    DEMO.owner,
    'idporten:scopes.read idporten:scopes.write altinn:resourceregistry/resource.read altinn:resourceregistry/resource.write altinn:resourceregistry/accesslist.read altinn:resourceregistry/accesslist.write',
  );
  const setup = await token(DEMO.consumer, 'idporten:dcr.read idporten:dcr.write');
  const consentApi = await token(DEMO.consumer, 'altinn:consentrequests.write altinn:consentrequests.read');

  const call = async (
    auth: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`demo set-up: ${method} ${path} answered ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  await call(admin, 'PUT', '/admin/v1/owners/skd', {
    orgNumber: DEMO.owner,
    name: { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'The Norwegian Tax Administration' },
  });
  await call(owner, 'POST', '/api/v1/scopes', {
    prefix: 'skd',
    subscope: 'inntekt',
    description: 'Inntektsopplysninger',
  });
  await call(owner, 'POST', '/resourceregistry/api/v1/resource', {
    identifier: DEMO.resource,
    title: { nb: 'Inntektsopplysninger', nn: 'Inntektsopplysningar', en: 'Income information' },
    description: {
      nb: 'Inntekt fra a-ordningen',
      nn: 'Inntekt frå a-ordninga',
      en: 'Income reported through the a-ordning',
    },
    hasCompetentAuthority: { orgcode: 'skd' },
    resourceType: 'Consent',
    consentTemplate: 'default',
    consentText: {
      nb: 'Skatteetaten gir opplysninger om inntekten din for **{inntektsaar}**.',
      nn: 'Skatteetaten gir opplysningar om inntekta di for **{inntektsaar}**.',
      en: 'The Tax Administration shares your income for **{inntektsaar}**.',
    },
    consentMetadata: { inntektsaar: { optional: false } },
    isOneTimeConsent: false,
    accessListMode: 'Enabled',
    availableForType: ['PrivatePerson'],
    resourceReferences: [
      { referenceSource: 'Default', reference: 'skd:inntekt', referenceType: 'MaskinportenScope' },
    ],
  });
  const list = '/resourceregistry/api/v1/access-lists/skd/godkjente-banker';
  await call(owner, 'PUT', list, {
    name: 'Godkjente banker',
    description: 'Banker som kan be om inntektsopplysninger',
  });
  await call(owner, 'POST', `${list}/members`, {
    data: [`urn:altinn:organization:identifier-no:${DEMO.consumer}`],
  });
  await call(owner, 'PUT', `${list}/resource-connections/${DEMO.resource}`, {
    actionFilters: ['requestconsent', 'consent'],
  });
  await call(owner, 'PUT', `/api/v1/scopes/access/${DEMO.consumer}?scope=skd:inntekt`);
  await call(owner, 'POST', '/admin/v1/apis', {
    name: DEMO.api,
    upstreamUrl: `${upstreamUrl}/inntekt`,
    requiredScopes: ['skd:inntekt'],
    consentResources: [DEMO.resource],
    subject: { in: 'header', name: 'X-Subject' },
    timeoutMs: 10000,
  });
  for (const scope of ['altinn:consentrequests.write', 'altinn:consentrequests.read'])
    await call(admin, 'PUT', `/api/v1/scopes/access/${DEMO.consumer}?scope=${scope}`);

  const client = await call(setup, 'POST', '/api/v1/clients', {
    client_name: 'Lånesøknad (demo)',
    description: 'Henter inntekt med samtykke',
    scopes: ['skd:inntekt', 'altinn:consentrequests.read', 'altinn:consentrequests.write'],
    integration_type: 'maskinporten',
    token_endpoint_auth_method: 'private_key_jwt',
  });
  const clientId = String(client.client_id);
  const kid = 'demo-bank-key';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  await call(setup, 'POST', `/api/v1/clients/${clientId}/jwks`, { keys: [jwk] });

  const consentId = randomUUID();
  const consent = await call(consentApi, 'POST', '/accessmanagement/api/v1/enterprise/consentrequests', {
    id: consentId,
    from: `urn:altinn:person:identifier-no:${DEMO.person}`,
    requiredDelegator: null,
    to: `urn:altinn:organization:identifier-no:${DEMO.consumer}`,
    validTo: new Date(Date.now() + 365 * 86400_000).toISOString(),
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: DEMO.resource }],
        metadata: { inntektsaar: '2024' },
      },
    ],
    requestMessage: {
      nb: 'Vi trenger inntekten din for lånesøknaden.',
      en: 'We need your income for your loan application.',
    },
    redirectUrl: `${base}/consent/active`,
  });
  return {
    clientId,
    kid,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    consentId,
    viewUri: String(consent.viewUri),
  };
}

/**
 * What the printed curl runs to get a token with the consent: a JWT-bearer assertion signed with
 * the demo client's key (RFC 7523, as Maskinporten), exchanged at `/token`; prints the token.
 */
export function consentTokenScript(base: string, world: DemoWorld, keyFile: string): string {
  return `// Prints an access token with the demo consent in it (node consent-token.mjs).
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const claims = {
  aud: ${JSON.stringify(`${base}/`)}, iss: ${JSON.stringify(world.clientId)}, scope: 'skd:inntekt',
  iat: now, exp: now + 60, jti: randomUUID(),
  authorization_details: [{ type: 'urn:altinn:consent', id: ${JSON.stringify(world.consentId)}, from: 'urn:altinn:person:identifier-no:${DEMO.person}' }],
};
const input = \`\${b64url({ alg: 'RS256', kid: ${JSON.stringify(world.kid)}, typ: 'JWT' })}.\${b64url(claims)}\`;
const assertion = \`\${input}.\${sign('sha256', Buffer.from(input), createPrivateKey(readFileSync(${JSON.stringify(keyFile)}))).toString('base64url')}\`;
const res = await fetch(${JSON.stringify(`${base}/token`)}, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
});
const body = await res.json();
if (!res.ok) { console.error(\`/token answered \${res.status}: \${JSON.stringify(body)} (has the person accepted?)\`); process.exit(1); }
console.log(body.access_token);
`;
}
