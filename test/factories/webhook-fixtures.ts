/**
 * Webhook fixtures: a real HTTP receiver on loopback that records every delivery (raw body and
 * headers) and answers as told, and helpers to subscribe and wait for deliveries.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Scopes } from '../../src/common/auth/scopes.js';
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { http } from './consent-fixtures.js';

export interface ReceivedDelivery {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
  body: any;
}

/** What the receiver answers: a status, optionally after a delay; `hang` never answers. */
export type Behaviour = { status: number; delayMs?: number } | 'hang';

export class Receiver {
  readonly received: ReceivedDelivery[] = [];
  behaviour: Behaviour = { status: 204 };
  /** Per-request behaviour; takes precedence over `behaviour` while it has entries. */
  readonly script: Behaviour[] = [];
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
        this.received.push({
          at: Date.now(),
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          rawBody,
          body,
        });
        const b = this.script.shift() ?? this.behaviour;
        if (b === 'hang') return;
        setTimeout(
          () =>
            res
              .writeHead(b.status, { 'content-type': 'text/plain' })
              .end(b.status >= 400 ? 'receiver says no' : ''),
          b.delayMs ?? 0,
        );
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops open connections (the receiver is "down"). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Deliveries of one event id. */
  of(eventId: string): ReceivedDelivery[] {
    return this.received.filter((r) => r.headers['x-webhook-id'] === eventId);
  }
}

export async function startReceiver(): Promise<Receiver> {
  return new Receiver().start(0);
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const WEBHOOKS = '/api/v1/webhooks';

export async function webhookAuth(t: TestApp, org: string): Promise<string> {
  return bearer(t, { org, scope: [Scopes.consentRequestsRead] });
}

export interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  secret: string;
}

export async function subscribe(
  t: TestApp,
  org: string,
  url: string,
  eventTypes: string[],
): Promise<Subscription> {
  const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, org), { url, eventTypes });
  if (res.status !== 201) throw new Error(`subscribe: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Subscription;
}
