/**
 * DATA_DIR belongs to one process (src/prisma/data-dir-lock.ts), shown with real processes of the
 * built service: a second server is refused at once and touches nothing, the CLIs work next to a
 * running server (its database, its issuer), and a lock left by a killed server is taken over.
 */
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import type { LockRecord } from '../../src/prisma/data-dir-lock.js';
import {
  ensureBuilt,
  readJson,
  runNode,
  serviceEnv,
  spawnNode,
  waitFor,
  type Spawned,
} from '../helpers/processes.js';

// Real processes starting PGlite: slow on a loaded machine, so a generous bound per test.
jest.setTimeout(300_000);

const ADMIN = ['--org', '991825827', '--scope', 'consentgw:admin'];

describe('the embedded database directory (DATA_DIR) is held by one process', () => {
  let dataDir: string;
  const started: Spawned[] = [];
  const lockFile = () => path.join(dataDir, 'embedded-server.json');

  /** Starts `node dist/main.js` on DATA_DIR and waits until it is ready and its lock names its port. */
  async function startServer(
    extra: Record<string, string> = {},
  ): Promise<{ server: Spawned; base: string; lock: LockRecord }> {
    const server = spawnNode('dist/main.js', [], serviceEnv({ DATA_DIR: dataDir, PORT: '0', ...extra }));
    started.push(server);
    const lock = await waitFor('the server to publish its port', () => {
      if (server.proc.exitCode !== null) return { failed: server.stderr() };
      const rec = readJson<LockRecord>(lockFile());
      return rec && rec.pid === server.proc.pid && rec.port && rec.url ? rec : undefined;
    });
    if ('failed' in lock) throw new Error(`the server exited: ${lock.failed}`);
    const base = `http://127.0.0.1:${lock.port}`;
    await waitFor('readiness', async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined));
    return { server, base, lock };
  }

  /**
   * A DATA_DIR initialised and migrated once (by the migrate CLI), copied for each test: creating
   * PGlite's data directory and migrating it cost about 4 CPU-seconds per server start, and what
   * these tests are about is the lock, not the first start on an empty directory (startup.e2e-spec
   * and CI's smoke test start on an empty one).
   */
  let initialised: string;
  beforeAll(async () => {
    ensureBuilt();
    initialised = await mkdtemp(path.join(tmpdir(), 'x-datadir-initialised-'));
    const migrated = await runNode('dist/cli/migrate.js', [], serviceEnv({ DATA_DIR: initialised }));
    expect(migrated).toMatchObject({ code: 0, stdout: expect.stringContaining('database is up to date') });
    await expect(stat(path.join(initialised, 'embedded-server.json'))).rejects.toThrow(/ENOENT/);
  }, 300_000);
  afterAll(async () => {
    if (initialised) await rm(initialised, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'x-datadir-'));
    await cp(initialised, dataDir, { recursive: true });
  });
  afterEach(async () => {
    for (const s of started.splice(0)) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second server at once, naming the PID and port, and touches nothing', async () => {
    const { server, base, lock } = await startServer({ PUBLIC_URL: 'http://issuer.example' });
    const before = await readFile(lockFile(), 'utf8');
    const listing = async () =>
      Promise.all(
        (await readdir(dataDir))
          .sort()
          .map(async (f) => `${f}:${(await stat(path.join(dataDir, f))).mtimeMs}`),
      );
    const filesBefore = await listing();

    const second = await runNode('dist/main.js', [], serviceEnv({ DATA_DIR: dataDir, PORT: '0' }));
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `DATA_DIR ${dataDir} is already in use by PID ${server.proc.pid} on port ${lock.port}: ` +
        'stop that process, or give this one another DATA_DIR (or a DATABASE_URL)',
    );
    expect(second.stdout).toBe('');
    expect(await readFile(lockFile(), 'utf8')).toBe(before);
    expect(await listing()).toEqual(filesBefore);
    // The first server is unharmed and still answers from its database.
    const token = await runNode('dist/cli/token.js', ADMIN, serviceEnv({ DATA_DIR: dataDir }));
    expect(token.code).toBe(0);
    const res = await fetch(`${base}/admin/v1/owners`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    expect(res.status).toBe(200);
  });

  it('lets the CLIs share the running server: its database and its issuer, with a --issuer override', async () => {
    // PUBLIC_URL only in the server's environment: the CLI learns it from the server, not from its own.
    const { base } = await startServer({ PUBLIC_URL: 'http://issuer.example:1234' });
    const token = await runNode('dist/cli/token.js', ADMIN, serviceEnv({ DATA_DIR: dataDir }));
    expect(token.code).toBe(0);
    expect(decodeJwt(token.stdout.trim()).iss).toBe('http://issuer.example:1234/');
    expect(token.stderr).toContain('issuer http://issuer.example:1234/ (from the server running on DATA_DIR');
    const ok = await fetch(`${base}/admin/v1/owners`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    expect(ok.status).toBe(200);

    const other = await runNode(
      'dist/cli/token.js',
      [...ADMIN, '--issuer', 'http://elsewhere.example'],
      serviceEnv({ DATA_DIR: dataDir }),
    );
    expect(decodeJwt(other.stdout.trim()).iss).toBe('http://elsewhere.example/');
    const refused = await fetch(`${base}/admin/v1/owners`, {
      headers: { authorization: `Bearer ${other.stdout.trim()}` },
    });
    expect(refused.status).toBe(401);

    const keys = await runNode('dist/cli/keys.js', ['list'], serviceEnv({ DATA_DIR: dataDir }));
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/\tcurrent\t/);
    const migrate = await runNode('dist/cli/migrate.js', [], serviceEnv({ DATA_DIR: dataDir }));
    expect(migrate).toMatchObject({ code: 0, stdout: expect.stringContaining('database is up to date') });
  });

  it('takes over the lock of a server that was killed, and the data is still there', async () => {
    const first = await startServer();
    const token = await runNode('dist/cli/token.js', ADMIN, serviceEnv({ DATA_DIR: dataDir }));
    const created = await fetch(`${first.base}/admin/v1/owners/skd`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        orgNumber: '974761076',
        name: { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'Norwegian Tax Administration' },
      }),
    });
    expect(created.ok).toBe(true);
    first.server.proc.kill('SIGKILL');
    await first.server.exited;
    expect(readJson<LockRecord>(lockFile())?.pid).toBe(first.server.proc.pid); // left behind

    const second = await startServer();
    expect(second.lock.pid).toBe(second.server.proc.pid);
    const again = await runNode('dist/cli/token.js', ADMIN, serviceEnv({ DATA_DIR: dataDir }));
    const owners = (await (
      await fetch(`${second.base}/admin/v1/owners`, {
        headers: { authorization: `Bearer ${again.stdout.trim()}` },
      })
    ).json()) as { data: { orgcode: string }[] };
    expect(owners.data.map((o) => o.orgcode)).toEqual(['skd']);
  });

  it('lets exactly one of several processes racing for a stale lock take it', async () => {
    const script = `
      import { DataDirLock } from './dist/prisma/data-dir-lock.js';
      const o = await DataDirLock.acquire(process.argv[1], { role: 'racer' });
      process.stdout.write('held' in o ? 'held' : 'busy');
      await new Promise((r) => setTimeout(r, 2000));`;
    const dead = spawnNode('-e', ['0'], serviceEnv({}));
    await dead.exited;
    await writeFile(
      lockFile(),
      JSON.stringify({ pid: dead.proc.pid, host: hostname(), role: 'server', startedAt: 'x' }),
    );
    const racers = [0, 1, 2, 3].map(() =>
      spawnNode('--input-type=module', ['-e', script, dataDir], serviceEnv({})),
    );
    await Promise.all(racers.map((r) => r.exited));
    expect(racers.map((r) => r.stdout()).sort()).toEqual(['busy', 'busy', 'busy', 'held']);
  });

  it('removes its lock when stopped with SIGTERM', async () => {
    const { server } = await startServer();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(stat(lockFile())).rejects.toThrow(/ENOENT/);
  });
});
