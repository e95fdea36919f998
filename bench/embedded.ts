/**
 * The embedded instance's memory (issue 22): `npm start` without DATABASE_URL runs PGlite inside
 * the service process, so its WebAssembly heap (PostgreSQL's shared buffers, catalog caches,
 * per-query memory) counts towards the service's RSS. Measured on `dist/main.js` in a temporary
 * DATA_DIR, pinned like the gateway bench:
 *
 *   first start     — a new DATA_DIR: initdb runs in process, then the migrations and the bench setup
 *   after load      — `seconds` of consent creation from 20 clients (writes through PGlite)
 *   idle restart    — the same DATA_DIR started again (no initdb): the usual `npm start`
 *
 * RSS from /proc/<pid>/status; `anonymous` from /proc/<pid>/smaps_rollup (heap, wasm memory)
 * against file-backed pages (code, mapped files).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NODE_RUNTIME_FLAGS } from '../src/config/runtime-flags.js';
import { benchConsentCreate } from './consents.js';
import { benchDatabaseUrl, startGateway, type Database } from './gateway.js';
import { orgClaim, startIssuer } from './lib/issuer.js';
import { HERE, rssBytes, spawnPinned, stop } from './lib/proc.js';

const ROOT = path.resolve(HERE, '../../..');

export interface MemoryPoint {
  rssMb: number;
  anonymousMb: number | null;
}

export interface EmbeddedBench {
  firstStart: MemoryPoint;
  afterLoad: MemoryPoint;
  idleRestart: MemoryPoint;
  load: { perSecond: number; p50: number; p99: number; errors: number; seconds: number };
}

function memoryOf(pid: number): MemoryPoint {
  let anonymousMb: number | null = null;
  try {
    const m = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (m) anonymousMb = Math.round(Number(m[1]) / 1024);
  } catch {
    /* not Linux */
  }
  return { rssMb: Math.round(rssBytes(pid) / 1048576), anonymousMb };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchEmbeddedMemory(seconds = 10): Promise<EmbeddedBench | { skipped: string }> {
  if (benchDatabaseUrl())
    return { skipped: 'DATABASE_URL or BENCH_DATABASE_URL is set (the service would use it)' };
  const dir = mkdtempSync(path.join(tmpdir(), 'consentgw-embedded-'));
  const db: Database = {
    env: { DATA_DIR: dir },
    url: () =>
      (JSON.parse(readFileSync(path.join(dir, 'embedded-server.json'), 'utf8')) as { url: string }).url,
    label: 'embedded PGlite',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
  const issuer = await startIssuer();
  try {
    const gw = await startGateway(issuer, db, 9);
    let firstStart: MemoryPoint;
    let afterLoad: MemoryPoint;
    let load: EmbeddedBench['load'];
    try {
      await settle(2000);
      firstStart = memoryOf(gw.child.pid!);
      const token = issuer.token({
        consumer: orgClaim(gw.consumerOrg),
        scope: 'altinn:consentrequests.read altinn:consentrequests.write',
        client_id: 'bench-embedded',
      });
      const to = `urn:altinn:organization:identifier-no:${gw.consumerOrg}`;
      const r = await benchConsentCreate(
        gw.base,
        token,
        () => ({
          id: randomUUID(),
          from: gw.subject,
          requiredDelegator: null,
          to,
          validTo: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
          consentRights: [
            {
              action: ['consent'],
              resource: [{ type: 'urn:altinn:resource', value: gw.resource }],
              metadata: { inntektsaar: '2024' },
            },
          ],
          requestMessage: { nb: 'Vi ber om samtykke', en: 'Please consent' },
          redirectUrl: 'https://bank.example/done',
          portalViewMode: 'hide',
        }),
        20,
        seconds,
        gw.child.pid,
      );
      load = { perSecond: r.perSecond, p50: r.p50, p99: r.p99, errors: r.errors, seconds };
      afterLoad = memoryOf(gw.child.pid!);
    } finally {
      await stop(gw.child);
    }

    // The same DATA_DIR again, as a restarted `npm start` runs (LOG_LEVEL warn, no setup).
    const child = spawnPinned(
      0,
      path.join(ROOT, 'dist', 'main.js'),
      [],
      {
        NODE_ENV: 'development',
        PORT: String(gw.port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${gw.port}`,
        LOG_LEVEL: 'warn',
        TRUSTED_ISSUERS: `${issuer.issuer}|${issuer.jwksUrl}`,
        ...db.env,
      },
      [...NODE_RUNTIME_FLAGS],
    );
    try {
      const end = Date.now() + 120_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${gw.port}/health/live`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > end) throw new Error('embedded restart: not live after 120 s');
        await settle(200);
      }
      await settle(2000);
      return { firstStart, afterLoad, idleRestart: memoryOf(child.pid!), load };
    } finally {
      await stop(child);
    }
  } finally {
    await issuer.close();
    await db.drop();
  }
}
