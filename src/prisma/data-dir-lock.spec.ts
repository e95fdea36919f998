import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import {
  DataDirInUseError,
  DataDirLock,
  LOCK_FILE,
  processStartTime,
  type LockRecord,
} from './data-dir-lock.js';

/** A PID that certainly belongs to no running process: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

function record(fields: Partial<LockRecord>): LockRecord {
  return { pid: process.ppid, host: hostname(), role: 'server', startedAt: 'then', ...fields };
}

describe('DataDirLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'x-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const lockFile = () => path.join(dir, LOCK_FILE);

  it('takes a free directory, records who holds it, and removes the lock on release', async () => {
    const outcome = await DataDirLock.acquire(dir, { role: 'server', port: 1234, issuer: 'http://x/' });
    if (!('held' in outcome)) throw new Error('expected the lock');
    const written = JSON.parse(await readFile(lockFile(), 'utf8')) as LockRecord;
    expect(written).toMatchObject({ pid: process.pid, role: 'server', port: 1234, issuer: 'http://x/' });
    await outcome.held.update({ url: 'postgresql://127.0.0.1:1/postgres' });
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({
      port: 1234,
      url: expect.any(String),
    });
    await outcome.held.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a live holder and leaves its lock exactly as it was', async () => {
    const text = JSON.stringify(record({ port: 8080 }));
    await writeFile(lockFile(), text);
    const outcome = await DataDirLock.acquire(dir, { role: 'server' });
    expect(outcome).toEqual({ busy: expect.objectContaining({ pid: process.ppid, port: 8080 }) });
    expect(await readFile(lockFile(), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
  });

  it('takes over the lock of a process that died', async () => {
    await writeFile(lockFile(), JSON.stringify(record({ pid: deadPid() })));
    const outcome = await DataDirLock.acquire(dir, { role: 'server' });
    expect('held' in outcome).toBe(true);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
  });

  it('takes over when the PID was recycled by a process that started later (Linux)', async () => {
    const start = processStartTime(process.ppid);
    if (start === undefined) return expect(process.platform).not.toBe('linux');
    await writeFile(lockFile(), JSON.stringify(record({ pidStart: `${start}0` })));
    expect('held' in (await DataDirLock.acquire(dir, { role: 'server' }))).toBe(true);
  });

  it('takes over a half-written lock file', async () => {
    await writeFile(lockFile(), '{"pid":');
    expect('held' in (await DataDirLock.acquire(dir, { role: 'server' }))).toBe(true);
  });

  it('treats a holder on another host as alive: a shared volume is never taken from under it', async () => {
    await writeFile(lockFile(), JSON.stringify(record({ pid: deadPid(), host: 'elsewhere' })));
    const outcome = await DataDirLock.acquire(dir, { role: 'server' });
    if (!('busy' in outcome)) throw new Error('expected busy');
    expect(new DataDirInUseError(dir, outcome.busy).message).toContain('of host elsewhere');
  });

  it('names the PID and port (or the CLI) in the refusal', () => {
    expect(new DataDirInUseError('/d', record({ pid: 42, port: 8080 })).message).toMatch(
      /^DATA_DIR \/d is already in use by PID 42 on port 8080: /,
    );
    expect(new DataDirInUseError('/d', record({ pid: 42, role: 'npm run token' })).message).toContain(
      'PID 42 (npm run token)',
    );
  });
});
