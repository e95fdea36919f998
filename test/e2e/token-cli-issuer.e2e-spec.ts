/**
 * One issuer truth on PostgreSQL (issue 19): the server records its issuer in the database at
 * start-up (`server_issuers`), and `npm run token` — which there has no DATA_DIR lock record to
 * read — signs as the issuer of the server started last, even with another PUBLIC_URL (or none)
 * in its own environment, and after that server has stopped. `--issuer` still wins. Real
 * processes of the built service and CLI on a database of their own.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { createTestDatabase } from '../helpers/database.js';
import { ensureBuilt, runNode, serviceEnv, spawnNode, waitFor, type Spawned } from '../helpers/processes.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

jest.setTimeout(300_000);

const ADMIN = ['--org', '991825827', '--scope', 'consentgw:admin'];
const SERVER_ISSUER = 'http://gateway.example.test:7443';

// A server process of its own needs a database other processes can reach: PostgreSQL.
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

onPostgres('npm run token with DATABASE_URL', () => {
  let db: DatabaseConnection;
  let server: Spawned | undefined;

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
    await db?.stop();
  });

  const token = (args: string[] = [], env: Record<string, string> = {}) =>
    runNode('dist/cli/token.js', [...ADMIN, ...args], serviceEnv({ DATABASE_URL: db.url, ...env }));

  it('uses PUBLIC_URL of its environment while no server has started on the database, and says so', async () => {
    const t = await token([], { PUBLIC_URL: 'http://cli-env.example' });
    expect(t.code).toBe(0);
    expect(decodeJwt(t.stdout.trim()).iss).toBe('http://cli-env.example/');
    expect(t.stderr).toContain('no server has started on this database yet');
  });

  it('signs as the issuer the running server recorded, and the server accepts the token', async () => {
    server = spawnNode(
      'dist/main.js',
      [],
      serviceEnv({ DATABASE_URL: db.url, PORT: '0', PUBLIC_URL: SERVER_ISSUER, LOG_LEVEL: 'info' }),
    );
    const base = await waitFor('the start-up line', () => {
      if (server!.proc.exitCode !== null) throw new Error(server!.stderr());
      return /listening on (http:\/\/[^,]+),/.exec(server!.stdout())?.[1];
    });

    // The CLI's own environment names another issuer: the database wins.
    const t = await token([], { PUBLIC_URL: 'http://cli-env.example' });
    expect(t.code).toBe(0);
    expect(decodeJwt(t.stdout.trim()).iss).toBe(`${SERVER_ISSUER}/`);
    expect(t.stderr).toContain(`issuer ${SERVER_ISSUER}/ (from the database: the server started last`);
    const ok = await fetch(`${base}/admin/v1/owners`, {
      headers: { authorization: `Bearer ${t.stdout.trim()}` },
    });
    expect(ok.status).toBe(200);

    const other = await token(['--issuer', 'http://elsewhere.example']);
    expect(decodeJwt(other.stdout.trim()).iss).toBe('http://elsewhere.example/');
    expect(other.stderr).toContain('(from --issuer)');
    const refused = await fetch(`${base}/admin/v1/owners`, {
      headers: { authorization: `Bearer ${other.stdout.trim()}` },
    });
    expect(refused.status).toBe(401);

    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('keeps using the recorded issuer after the server stopped', async () => {
    const t = await token();
    expect(decodeJwt(t.stdout.trim()).iss).toBe(`${SERVER_ISSUER}/`);
  });

  it('names the other issuers when servers with different PUBLIC_URLs started on the database', async () => {
    const second = spawnNode(
      'dist/main.js',
      [],
      serviceEnv({ DATABASE_URL: db.url, PORT: '0', PUBLIC_URL: 'http://second.example', LOG_LEVEL: 'info' }),
    );
    server = second;
    await waitFor('the start-up line', () => {
      if (second.proc.exitCode !== null) throw new Error(second.stderr());
      return /listening on/.test(second.stdout()) ? true : undefined;
    });
    // The server warns about the mismatch when it starts.
    expect(second.stdout()).toContain(`servers with another issuer (${SERVER_ISSUER}/)`);
    const t = await token();
    expect(decodeJwt(t.stdout.trim()).iss).toBe('http://second.example/');
    expect(t.stderr).toContain(`other issuers recorded earlier: ${SERVER_ISSUER}/`);
    second.proc.kill('SIGTERM');
    await second.exited;
  });
});
