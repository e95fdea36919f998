/**
 * Gateway fixtures: a real local upstream (node:http on 127.0.0.1:0) that echoes what reached it,
 * an owner with consent resources and a registered protected API (through the real HTTP APIs),
 * accepted consents (a consent_requests row; the lifecycle has its own tests) and tokens that
 * embed them in the Altinn shape, signed by the app's built-in issuer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Scopes } from '../../src/common/auth/scopes.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, mintToken } from '../helpers/tokens.js';
import { orgNumber, personNumber, uniqueCode } from './orgs.js';
import { createResource, registerOwner, type TestOwner } from './registry.js';
import { insertConsent, type InsertedConsent } from './token-fixtures.js';

export const ACCESS_LIST_WRITE = 'altinn:resourceregistry/accesslist.write';
export const orgUrnOf = (org: string) => `urn:altinn:organization:identifier-no:${org}`;
export const personUrnOf = (pid: string) => `urn:altinn:person:identifier-no:${pid}`;

export interface UpstreamHit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
}

export interface Upstream {
  url: string;
  hits: UpstreamHit[];
  /** Body bytes received so far, counted as they arrive (before any request has ended). */
  bytesReceived(): number;
  close(): Promise<void>;
}

/**
 * Echo upstream. Paths: `/slow/<ms>` answers after that delay, `/status/<code>` answers that
 * status, `/hang` never answers, anything else 200. Bodies are counted while streaming (never
 * buffered), and the answer is `{method, url, headers, bodyLength}`.
 */
export async function startUpstream(): Promise<Upstream> {
  const hits: UpstreamHit[] = [];
  let received = 0;
  const server: Server = createServer((req, res) => {
    let bodyLength = 0;
    req.on('data', (c: Buffer) => {
      bodyLength += c.length;
      received += c.length;
    });
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyLength };
      hits.push(hit);
      const url = req.url ?? '';
      if (url.includes('/hang')) return;
      const slow = /\/slow\/(\d+)/.exec(url);
      const status = /\/status\/(\d{3})/.exec(url);
      const send = () => {
        const body = JSON.stringify(hit);
        res.writeHead(status ? Number(status[1]) : 200, {
          'content-type': 'application/json',
          'x-upstream': 'echo',
          connection: 'keep-alive',
          'keep-alive': 'timeout=5',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      // Unref'd: a client that hung up must not keep the test process alive.
      if (slow) setTimeout(send, Number(slow[1])).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    bytesReceived: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface GatewayWorld {
  owner: TestOwner;
  /** Consent resource (access list disabled). */
  resource: string;
  /** Scope the API requires. */
  scope: string;
  /** Consumer org number. */
  consumer: string;
}

/** Owner + consent resource through the registry API; a consumer org. */
export async function gatewayWorld(
  t: TestApp,
  resourceOverrides: Record<string, unknown> = {},
): Promise<GatewayWorld> {
  const owner = await registerOwner(t);
  const resource = await createResource(t, owner, {
    consentMetadata: {},
    consentText: { nb: 'Data.', nn: 'Data.', en: 'Data.' },
    ...resourceOverrides,
  });
  return { owner, resource: resource.identifier, scope: `${owner.orgcode}:inntekt`, consumer: orgNumber() };
}

export interface ApiOptions {
  name?: string;
  upstreamUrl: string;
  requiredScopes?: string[];
  consentResources?: string[];
  [k: string]: unknown;
}

/** `POST /admin/v1/apis` as the owner; returns the API's name (throws unless 201). */
export async function registerApi(t: TestApp, world: GatewayWorld, o: ApiOptions): Promise<string> {
  const name = o.name ?? uniqueCode('api-').slice(0, 40);
  const res = await fetch(`${t.url}/admin/v1/apis`, {
    method: 'POST',
    headers: { authorization: world.owner.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ requiredScopes: [world.scope], consentResources: [world.resource], ...o, name }),
  });
  if (res.status !== 201) throw new Error(`registerApi: ${res.status} ${await res.text()}`);
  return name;
}

export interface ConsentOptions {
  from?: string;
  toOrg?: string;
  resource?: string;
  isOneTime?: boolean;
  validTo?: Date;
  status?: 'created' | 'accepted' | 'rejected' | 'revoked' | 'deleted' | 'expired' | 'used';
  metadata?: Record<string, string>;
}

/** An accepted consent from a fresh person to the world's consumer, on the world's resource. */
export async function acceptedConsent(
  t: TestApp,
  world: GatewayWorld,
  o: ConsentOptions = {},
): Promise<InsertedConsent> {
  return insertConsent(t, {
    from: o.from ?? personUrnOf(personNumber()),
    toOrg: o.toOrg ?? world.consumer,
    resource: o.resource ?? world.resource,
    isOneTime: o.isOneTime,
    validTo: o.validTo,
    status: o.status,
    metadata: o.metadata ?? { inntektsaar: '2024' },
  });
}

/** The embedded consent, exactly as `/token` writes it. */
export function consentDetail(
  c: InsertedConsent,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'urn:altinn:consent',
    id: c.id,
    from: c.from,
    to: { authority: 'iso6523-actorid-upis', ID: `0192:${c.toOrg}` },
    consented: c.consented!.toISOString(),
    validTo: c.validTo.toISOString(),
    consentRights: c.consentRights,
    ...overrides,
  };
}

/** `Authorization` for a consumer token carrying the scope and the consent. */
export async function consentBearer(
  t: TestApp,
  world: GatewayWorld,
  consent: InsertedConsent,
  o: {
    org?: string;
    scope?: string | string[];
    details?: unknown[];
    audience?: string;
    ttlSeconds?: number;
  } = {},
): Promise<string> {
  const token = await mintToken(t, {
    org: o.org ?? world.consumer,
    scope: o.scope ?? world.scope,
    authorizationDetails: o.details ?? [consentDetail(consent)],
    audience: o.audience,
    ttlSeconds: o.ttlSeconds,
  });
  return `Bearer ${token}`;
}

/** The owner's token for access-list writes. */
export async function accessListAuth(t: TestApp, world: GatewayWorld): Promise<string> {
  return bearer(t, { org: world.owner.orgNumber, scope: [ACCESS_LIST_WRITE, Scopes.accessListRead] });
}

/** Creates an access list with `members`, connected to the world's resource. */
export async function accessListWith(
  t: TestApp,
  world: GatewayWorld,
  members: string[],
  actionFilters: string[] = [],
): Promise<string> {
  const auth = await accessListAuth(t, world);
  const id = uniqueCode('list-').slice(0, 30);
  const base = `${t.url}/resourceregistry/api/v1/access-lists/${world.owner.orgcode}/${id}`;
  const call = async (method: string, url: string, body: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  };
  await call('PUT', base, { name: `List ${id}` });
  if (members.length) await call('POST', `${base}/members`, { data: members.map(orgUrnOf) });
  await call('PUT', `${base}/resource-connections/${world.resource}`, { actionFilters });
  return id;
}

export interface ProxyResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of many shapes; tests assert on it
  body: any;
  text: string;
}

/** A request through the gateway (real HTTP). */
export async function proxy(
  t: TestApp,
  path: string,
  o: { method?: string; auth?: string; headers?: Record<string, string>; body?: string | Buffer | null } = {},
): Promise<ProxyResult> {
  const res = await fetch(`${t.url}${path}`, {
    method: o.method ?? 'GET',
    headers: { ...(o.auth ? { authorization: o.auth } : {}), ...o.headers },
    body: o.body,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * A request with exact control over the target and headers (node:http does not normalise the
 * path, unlike fetch). `headers` may repeat names as `[name, value]` pairs.
 */
export async function rawRequest(
  t: TestApp,
  o: {
    method?: string;
    path: string;
    headers?: Array<[string, string]>;
    body?: Buffer | string | AsyncIterable<Buffer>;
  },
): Promise<ProxyResult> {
  const { request } = await import('node:http');
  const u = new URL(t.url);
  return new Promise<ProxyResult>((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? 'GET',
        path: o.path,
        // An array keeps repeated names; Node then adds no Host header of its own.
        headers: [['host', u.host] as [string, string], ...(o.headers ?? [])].flat(),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, headers, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = o.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(reject);
  });
}

/** Sends a raw HTTP/1.1 request line (for absolute-form and other targets no client library sends). */
export async function rawLine(t: TestApp, requestLine: string, headers: string[] = []): Promise<ProxyResult> {
  const host = new URL(t.url).host;
  return rawExchange(
    t,
    `${requestLine}\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`,
  );
}

function dechunk(s: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const nl = s.indexOf('\r\n', i);
    if (nl === -1) break;
    const size = parseInt(s.slice(i, nl), 16);
    if (!size) break;
    out += s.slice(nl + 2, nl + 2 + size);
    i = nl + 2 + size + 2;
  }
  return out;
}

/**
 * Sends `bytes` exactly as given on a fresh connection and reads until the server closes it (or
 * `waitMs` passes): for requests no HTTP client library would send (bad framing, folded headers).
 */
export async function rawExchange(t: TestApp, bytes: string | Buffer, waitMs = 2000): Promise<ProxyResult> {
  const net = await import('node:net');
  const u = new URL(t.url);
  return new Promise<ProxyResult>((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), waitMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const h = new Headers();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) h.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      let text = rest.join('\r\n\r\n');
      if (/chunked/i.test(h.get('transfer-encoding') ?? '')) text = dechunk(text);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: Number(lines[0].split(' ')[1] ?? 0), headers: h, body, text });
    });
  });
}
