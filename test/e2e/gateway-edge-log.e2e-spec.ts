/**
 * The gateway's edge on both entries, the service (Fastify) and the data plane (dist/gateway-main.js):
 * - RT4-7: a `/proxy` request refused before a call exists (request shape 400 GW-00002, unknown
 *   API 404 GW-00001) writes exactly one `gateway call` line, at the production level (`warn`),
 *   with its status and code, and without the token or the query string;
 * - RT4-8: a client trickling header lines is cut once HEADERS_TIMEOUT_MS (here 500 ms) passes.
 * Real sockets (fetch cannot send `%2e%2e`, a backslash or two Authorization headers), real
 * PostgreSQL, the service's log stream and the data plane's stdout captured as JSON lines.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, freePort, type TestApp } from '../helpers/app.js';
import { ensureBuilt, serviceEnv, spawnNode, waitFor, type Spawned } from '../helpers/processes.js';

type Line = Record<string, unknown> & { msg?: string; reqId?: string };

/** Secrets that must never reach a log line (an opaque token, so no JWT masking hides a leak). */
const TOKEN = 'opaque-edge-token-7f3a9c';
const QUERY_SECRET = 'query-secret-5d1e';

/** One request written as-is on its own connection; the status and request id of the answer. */
async function rawRequest(base: string, head: string): Promise<{ status: number; requestId: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const requestId = /\r\nx-request-id: ([^\r]+)\r\n/i.exec(text)?.[1] ?? '';
      resolve({ status, requestId });
    });
    socket.write(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  });
}

/** The hostile requests of the red team's attack_logging.sh, each with the answer it must get. */
const REFUSED: { name: string; head: string; status: number; code: string; path: string }[] = [
  {
    name: '%2e%2e traversal',
    head: `GET /proxy/some-api/%2e%2e/admin HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}`,
    status: 400,
    code: 'GW-00002',
    path: '/proxy/some-api/%2e%2e/admin',
  },
  {
    name: 'a backslash',
    head: `GET /proxy/some-api/a\\b HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}`,
    status: 400,
    code: 'GW-00002',
    path: '/proxy/some-api/a\\b',
  },
  {
    name: 'two Authorization headers',
    head: `GET /proxy/some-api/x HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nAuthorization: Bearer ${TOKEN}`,
    status: 400,
    code: 'GW-00002',
    path: '/proxy/some-api/x',
  },
  {
    name: 'a bearer token in the query',
    head: `GET /proxy/some-api/x?access_token=${QUERY_SECRET} HTTP/1.1`,
    status: 400,
    code: 'GW-00002',
    path: '/proxy/some-api/x',
  },
  {
    name: 'an unknown API (its path holding an identity number)',
    head: `GET /proxy/no-such-api/person/15058510170?q=${QUERY_SECRET} HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}`,
    status: 404,
    code: 'GW-00001',
    path: '/proxy/no-such-api/person/***********',
  },
];

/** Asserts each refusal is answered and logged exactly once, as the red team's script could not see. */
async function expectLoggedRefusals(base: string, lines: () => Line[]): Promise<void> {
  for (const r of REFUSED) {
    const { status, requestId } = await rawRequest(base, r.head);
    expect({ name: r.name, status }).toEqual({ name: r.name, status: r.status });
    expect(requestId).not.toBe('');
    const mine = await waitFor(`the log line of ${r.name}`, () => {
      const found = lines().filter((l) => l.reqId === requestId && l.msg === 'gateway call');
      return found.length > 0 ? found : undefined;
    });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      level: 40,
      method: 'GET',
      path: r.path,
      status: r.status,
      outcome: r.code,
      code: r.code,
    });
    const text = JSON.stringify(mine[0]);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(QUERY_SECRET);
    expect(text).not.toContain('access_token');
    expect(text).not.toContain('15058510170');
  }
}

/**
 * Opens a request and sends one header line every 200 ms, never ending the header block; resolves
 * with what the server wrote before it closed the connection. The trickle stops after 20 s: a
 * server that has not closed by then fails the test (a generous bound, not a timing assertion).
 */
async function trickleHeaders(base: string): Promise<{ closed: boolean; answer: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', () => undefined); // a reset also ends the connection
    const timer = setInterval(() => {
      if (++sent > 100) {
        clearInterval(timer);
        socket.destroy();
        resolve({ closed: false, answer });
      } else if (!socket.destroyed) socket.write(`X-Trickle-${sent}: ${'a'.repeat(8)}\r\n`);
    }, 200);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closed: sent <= 100, answer });
    });
    socket.write(`GET /proxy/some-api/x HTTP/1.1\r\nHost: ${hostname}\r\n`);
  });
}

describe('the service (Fastify): edge refusals and header timeout', () => {
  const raw: string[] = [];
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { LOG_LEVEL: 'warn', HEADERS_TIMEOUT_MS: '500' },
      logDestination: { write: (s: string) => void raw.push(...s.split('\n').filter(Boolean)) },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('logs each refused /proxy request once at warn, with status and code, never the token or the query', async () => {
    await expectLoggedRefusals(t.url, () => raw.map((l) => JSON.parse(l) as Line));
  });

  it('closes a connection whose header block trickles past HEADERS_TIMEOUT_MS (408)', async () => {
    const { closed, answer } = await trickleHeaders(t.url);
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('the data plane (dist/gateway-main.js): edge refusals and header timeout', () => {
  let control: TestApp;
  let dp: Spawned;
  let url: string;

  beforeAll(async () => {
    ensureBuilt();
    control = await createTestApp();
    // LOG_LEVEL warn (production's) prints no listening line: listen on a known port instead.
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    dp = spawnNode(
      'dist/gateway-main.js',
      [],
      serviceEnv({
        DATABASE_URL: control.db.url,
        PUBLIC_URL: control.config.publicUrl,
        PORT: String(port),
        HEADERS_TIMEOUT_MS: '500',
      }),
    );
    await waitFor('the data plane to answer', () =>
      fetch(`${url}/proxy`).then(
        (r) => r.status,
        () => undefined,
      ),
    );
  }, 300_000);

  afterAll(async () => {
    if (dp && dp.proc.exitCode === null) {
      dp.proc.kill('SIGTERM');
      await dp.exited;
    }
    await control?.close();
  });

  it('logs each refused /proxy request once at warn (its production level), never the token or the query', async () => {
    const lines = (): Line[] =>
      dp
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    await expectLoggedRefusals(url, lines);
  });

  it('closes a connection whose header block trickles past HEADERS_TIMEOUT_MS (408)', async () => {
    const { closed, answer } = await trickleHeaders(url);
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
