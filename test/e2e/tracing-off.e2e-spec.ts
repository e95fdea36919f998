/**
 * Tracing off costs nothing (docs/operations.md, "Tracing"): the built server started without
 * OTEL_EXPORTER_OTLP_ENDPOINT exports nothing and loads no OpenTelemetry module at all (every ES
 * module it resolves is recorded by a loader hook). The same server with the variable set is the
 * control: it loads the SDK, and the spans of a request made just before SIGTERM are exported at
 * shutdown (the batch processor's 5 s delay has not passed by then).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createTestDatabase } from '../helpers/database.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { ensureBuilt, serviceEnv, spawnNode, waitFor, type Spawned } from '../helpers/processes.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

jest.setTimeout(300_000);

const OTEL_MODULE = /@opentelemetry|@prisma\/instrumentation|otel-request-tracer/;

let db: DatabaseConnection;
let receiver: OtlpReceiver;
let dir: string;
const started: Spawned[] = [];

beforeAll(async () => {
  ensureBuilt();
  db = await createTestDatabase();
  receiver = await startOtlpReceiver();
  dir = await mkdtemp(path.join(tmpdir(), 'x-tracing-'));
}, 300_000);

afterAll(async () => {
  for (const s of started) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
  await receiver?.close();
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built server with `env`, makes a few requests, stops it with SIGTERM; what it loaded. */
async function serveAndStop(name: string, env: Record<string, string>): Promise<string[]> {
  const modules = path.join(dir, `${name}.modules`);
  const server = spawnNode(
    '--import=./test/helpers/record-modules.mjs',
    ['dist/main.js'],
    serviceEnv({ DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info', RECORD_MODULES_TO: modules, ...env }),
  );
  started.push(server);
  const base = await waitFor('the start-up line', () => {
    if (server.proc.exitCode !== null) throw new Error(server.stderr());
    return /listening on (http:\/\/[^,]+),/.exec(server.stdout())?.[1];
  });
  for (const target of ['/admin/v1/owners', '/health/ready', '/proxy/none/x'])
    expect(
      (
        await fetch(`${base}${target}`, {
          headers: { traceparent: `00-${'a1'.repeat(16)}-${'b2'.repeat(8)}-01` },
        })
      ).status,
    ).toBeGreaterThan(0);
  server.proc.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  return (await readFile(modules, 'utf8')).split('\n').filter(Boolean);
}

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('exports nothing and loads no OpenTelemetry module', async () => {
    const loaded = await serveAndStop('off', {
      OTEL_SERVICE_NAME: 'consent-gateway',
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    expect(loaded.some((u) => u.includes('/dist/main.js'))).toBe(true);
    expect(loaded.filter((u) => OTEL_MODULE.test(u))).toEqual([]);
    expect(receiver.exports).toHaveLength(0);
  });
});

describe('tracing on (the control)', () => {
  it('loads the SDK and exports the last requests’ spans at shutdown', async () => {
    const loaded = await serveAndStop('on', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(loaded.filter((u) => OTEL_MODULE.test(u)).length).toBeGreaterThan(0);
    const names = receiver.spans.filter((s) => s.traceId === 'a1'.repeat(16)).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['GET /admin/v1/owners', 'GET /health/ready']));
  });
});
