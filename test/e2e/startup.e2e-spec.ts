/**
 * What an operator sees when the built service starts (issue 19): one "listening on" line and no
 * framework chatter or warnings; and when it cannot start, one line that says what to fix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { ensureBuilt, runNode, serviceEnv, spawnNode, waitFor } from '../helpers/processes.js';

// Real processes starting PGlite: slow on a loaded machine, so a generous bound per test.
jest.setTimeout(300_000);

describe('start-up', () => {
  let dataDir: string;
  beforeAll(() => ensureBuilt(), 300_000);
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'x-startup-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs one line saying where it listens and where its parts are, route mapping only at debug, no warnings', async () => {
    const server = spawnNode(
      'dist/main.js',
      [],
      serviceEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }),
    );
    try {
      const line = await waitFor('the listening line', () =>
        server
          .stdout()
          .split('\n')
          .find((l) => l.includes('listening on')),
      );
      const entry = JSON.parse(line) as { level: number; msg: string };
      expect(entry.level).toBe(30);
      expect(entry.msg).toMatch(
        new RegExp(
          '^listening on http://127\\.0\\.0\\.1:\\d+, docs http://localhost:8080/docs, ' +
            `portal http://localhost:8080/consent/active, database embedded PGlite in ${dataDir}$`,
        ),
      );
      const out = server.stdout();
      expect(out).not.toContain('Mapped {');
      expect(out).not.toContain('dependencies initialized');
      expect(server.stderr()).toBe(''); // no FSTWRN004 or any other process warning
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
  });

  it('a database it cannot reach is one line naming DATABASE_URL, password masked, no stack trace', async () => {
    const res = await runNode(
      'dist/main.js',
      [],
      serviceEnv({ DATABASE_URL: 'postgresql://app:s3cret-pw@127.0.0.1:1/consent', PORT: '0' }),
    );
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Cannot use the database in DATABASE_URL=postgresql:\/\/app:\*\*\*\*@127\.0\.0\.1:1\/consent: .*ECONNREFUSED/,
    );
    expect(res.stderr + res.stdout).not.toContain('s3cret-pw');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('production mode reports every missing setting at once', async () => {
    const res = await runNode('dist/main.js', [], serviceEnv({ NODE_ENV: 'production', PORT: 'x' }));
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      [
        'Invalid configuration (3 problems):',
        '  PORT must be an integer between 0 and 65535, got "x"',
        '  KEY_ENCRYPTION_SECRET is required when NODE_ENV=production',
        '  DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)',
        '',
      ].join('\n'),
    );
  });

  it('every CLI answers --help with its usage, exit 0', async () => {
    for (const cli of ['token', 'keys', 'migrate', 'openapi']) {
      const res = await runNode(`dist/cli/${cli}.js`, ['--help'], serviceEnv({ DATA_DIR: dataDir }));
      expect({ cli, code: res.code }).toEqual({ cli, code: 0 });
      expect(res.stdout).toMatch(/^usage: /);
    }
  });
});
