/**
 * Calls for the unit tests of the gateway's checks (src/gateway/checks/): a GatewayCall over a
 * plain request object, a route as ApiRouteTable builds it, and a principal carrying the Altinn
 * wire sample of a consent detail, parsed by the same code as in production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../src/common/auth/principal.js';
import type { ApiRoute } from '../../src/gateway/api-route.js';
import { parseConsentDetail } from '../../src/gateway/consent-detail.js';
import type { ConsentState } from '../../src/gateway/consent-state.js';
import { Need, type Verdict } from '../../src/gateway/checks/check.js';
import type { ConsentStates } from '../../src/gateway/checks/consent-active.check.js';
import { GatewayCall } from '../../src/gateway/gateway-call.js';
import { ApiMetrics } from '../../src/gateway/gateway-metrics.js';

export const CONSENT_ID = 'f70542a8-d97a-40a8-9ef7-221603ffd5e6';
export const FROM_PID = '25922947409';
export const FROM_URN = `urn:altinn:person:identifier-no:${FROM_PID}`;
export const CONSUMER = '991825827';
export const RESOURCE = 'ske-samtykke-sbl-inntekt';
export const CONSENTED = '2026-02-03T10:14:05.419Z';
export const VALID_TO = '2099-02-03T10:13:27.897Z';

export function consentDetailClaim(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'urn:altinn:consent',
    id: CONSENT_ID,
    from: FROM_URN,
    to: { authority: 'iso6523-actorid-upis', ID: `0192:${CONSUMER}` },
    consented: CONSENTED,
    validTo: VALID_TO,
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: RESOURCE }],
        metadata: { inntektsaar: '2024' },
      },
    ],
    ...overrides,
  };
}

export function principal(o: Partial<Principal> & { claims?: Record<string, unknown> } = {}): Principal {
  const scope = o.scope ?? 'skatteetaten:inntekt';
  return {
    consumer: CONSUMER,
    scopes: new Set(scope.split(' ').filter(Boolean)),
    scope,
    authorizationDetails: [consentDetailClaim()],
    issuer: 'https://issuer.test/',
    builtIn: false,
    exp: 4_000_000_000,
    ...o,
    claims: { scope, ...o.claims },
  };
}

export function route(o: Partial<ApiRoute> = {}): ApiRoute {
  return {
    name: 'inntekt',
    ownerOrgNumber: '974760673',
    upstreamUrl: 'http://127.0.0.1:1/api',
    origin: 'http://127.0.0.1:1',
    basePath: '/api',
    requiredScopes: ['skatteetaten:inntekt'],
    consentResources: new Set([RESOURCE]),
    requiredAction: 'consent',
    consentSource: 'local',
    audience: null,
    subject: null,
    timeoutMs: 30_000,
    maxBodyBytes: 1024,
    rateLimit: null,
    fingerprint: 'test',
    ...o,
  };
}

export interface CallOptions {
  route?: ApiRoute;
  headers?: Record<string, string>;
  url?: string;
}

/** A call before any check ran. */
export function newCall(o: CallOptions = {}): GatewayCall {
  const headers = o.headers ?? {};
  const url = o.url ?? '/proxy/inntekt/income/2024';
  const req = {
    url,
    method: 'GET',
    headers,
    rawHeaders: Object.entries(headers).flat(),
  } as unknown as IncomingMessage;
  return new GatewayCall(
    req,
    {} as ServerResponse,
    'gw-test-1',
    o.route ?? route(),
    url.slice('/proxy/inntekt'.length),
    0,
    new ApiMetrics(),
    Object.keys(headers),
  );
}

/** A call as the checks up to `to` = consumer leave it: principal, parsed detail and the matching right. */
export function checkedCall(o: CallOptions & { principal?: Principal } = {}): GatewayCall {
  const call = newCall(o);
  const p = o.principal ?? principal();
  call.principal = p;
  call.consumer = p.consumer;
  const detail = parseConsentDetail(p.authorizationDetails);
  call.detail = detail;
  call.consent = detail.id;
  call.match = { right: detail.rights[0], resource: RESOURCE };
  return call;
}

/** The stored consent that equals the token's detail. */
export function storedState(o: Partial<ConsentState> = {}): ConsentState {
  const d = parseConsentDetail([consentDetailClaim()]);
  return {
    id: CONSENT_ID,
    status: 'accepted',
    fromUrn: FROM_URN,
    toOrg: CONSUMER,
    handledByOrg: null,
    validToMs: Date.parse(VALID_TO),
    consentedMs: Date.parse(CONSENTED),
    rightsKey: d.rightsKey,
    isOneTime: false,
    termsSetMs: Date.parse(CONSENTED) - 60_000,
    termsAcceptedMs: Date.parse(CONSENTED),
    earlier: [],
    ...o,
  };
}

/** A verdict as text: 'pass', '<status> <code>' for a refusal, 'needs <what>' for a load. */
export function verdictOf(v: Verdict): string {
  if (v === undefined) return 'pass';
  if (v instanceof Need) return `needs ${v.what}`;
  return `${v.status} ${v.code}`;
}

/**
 * Consent states as the checks see them: `stored` from memory when `cached`, else through a
 * load (each load's id is kept in `loads`).
 */
export function consentStates(
  stored: ConsentState | null,
  cached = true,
): ConsentStates & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    peek: () => (cached ? stored : undefined),
    load: async (id) => {
      loads.push(id);
      return stored;
    },
  };
}
