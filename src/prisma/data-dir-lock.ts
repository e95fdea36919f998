import { readFileSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One process at a time owns an embedded database directory (PGlite opens its files without a
 * lock of its own: a second opener corrupts them). The owner holds `DATA_DIR/embedded-server.json`,
 * created with O_EXCL, which also says who it is, so that
 *   - a second `npm start` fails at once naming the PID and port, before it touches anything;
 *   - the CLIs connect to a running server's database (and sign with its issuer) instead of
 *     opening the directory a second time;
 *   - a lock left behind by a process that died (kill -9, power cut) is taken over.
 * The same idea as PostgreSQL's `postmaster.pid`.
 */
export const LOCK_FILE = 'embedded-server.json';

export interface LockRecord {
  pid: number;
  /** Linux: the process start time (/proc/<pid>/stat), so a recycled PID is not mistaken for the owner. */
  pidStart?: string;
  host: string;
  /** `server`, or the CLI that holds the directory for a moment (`npm run token`). */
  role: string;
  startedAt: string;
  /** The HTTP port (servers). */
  port?: number;
  /** The built-in issuer the server signs and accepts tokens with (`${PUBLIC_URL}/`). */
  issuer?: string;
  publicUrl?: string;
  /** Loopback URL of the embedded database (pglite-socket), for the CLIs. */
  url?: string;
}

/** DATA_DIR is held by a live process: nothing was touched. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockRecord,
  ) {
    const where = holder.port !== undefined ? ` on port ${holder.port}` : ` (${holder.role})`;
    const host = holder.host !== hostname() ? ` of host ${holder.host}` : '';
    super(
      `DATA_DIR ${dataDir} is already in use by PID ${holder.pid}${host}${where}: ` +
        'stop that process, or give this one another DATA_DIR (or a DATABASE_URL)',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `rec` is still running (fails safe: unsure → alive). */
export function holderAlive(rec: LockRecord): boolean {
  if (rec.host !== hostname()) return true; // a shared volume: we cannot see that process
  // A container restarted on the same volume often gets the very same PID: that was us.
  if (rec.pid === process.pid) return false;
  try {
    process.kill(rec.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = processStartTime(rec.pid);
  return !(rec.pidStart && start && rec.pidStart !== start);
}

async function readRecord(file: string): Promise<LockRecord | undefined> {
  try {
    const rec = JSON.parse(await readFile(file, 'utf8')) as LockRecord;
    return typeof rec.pid === 'number' ? rec : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written or garbage: treat like a dead holder with an unknown PID.
    return { pid: -1, host: hostname(), role: 'unknown', startedAt: '' };
  }
}

export type LockOutcome = { held: DataDirLock } | { busy: LockRecord };

export class DataDirLock {
  private closed = false;

  private constructor(
    readonly file: string,
    private record: LockRecord,
  ) {}

  /**
   * Takes the directory, or reports who holds it. Never waits: the caller decides whether a busy
   * directory is an error (a server) or a server to talk to (a CLI).
   */
  static async acquire(
    dataDir: string,
    who: Pick<LockRecord, 'role' | 'port' | 'issuer' | 'publicUrl'>,
  ): Promise<LockOutcome> {
    const file = path.join(dataDir, LOCK_FILE);
    const record: LockRecord = {
      pid: process.pid,
      pidStart: processStartTime(process.pid),
      host: hostname(),
      startedAt: new Date().toISOString(),
      ...who,
    };
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const fh = await open(file, 'wx', 0o600);
        try {
          await fh.writeFile(JSON.stringify(record));
        } finally {
          await fh.close();
        }
        return { held: new DataDirLock(file, record) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readRecord(file);
      if (!holder) continue; // released between our create and our read
      if (holder.pid > 0 && holderAlive(holder)) return { busy: holder };
      // Another process is clearing the same stale lock: wait for it, then look again.
      if (!(await removeStale(file, holder))) await sleep(10 + Math.random() * 20);
    }
    const holder = await readRecord(file);
    if (holder) return { busy: holder };
    throw new Error(`could not lock ${file}`);
  }

  get info(): LockRecord {
    return this.record;
  }

  /** Adds what is known later (the database URL, the bound port); atomic for readers. */
  async update(fields: Partial<LockRecord>): Promise<void> {
    if (this.closed) return;
    this.record = { ...this.record, ...fields };
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.record), { mode: 0o600 });
    await rename(tmp, this.file);
  }

  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const current = await readRecord(this.file);
    if (current?.pid === process.pid) await rm(this.file, { force: true });
  }
}

/**
 * Removes a dead holder's lock without ever removing a live one. Several processes may find the
 * same stale lock at once; renaming it aside is not enough (a slower process would move the
 * faster one's fresh lock aside, and a third could create its own in that moment: two holders,
 * seen in a 4-process race). So removals are serialised by a second O_EXCL file, and under it the
 * lock is removed only if it is still the very record judged dead. Nobody else ever removes a lock
 * that is not theirs, and a new lock cannot appear while the stale one exists, so the check and
 * the removal cannot be interleaved with another holder. Returns false when another process holds
 * the guard. A guard left by a process that died in those few milliseconds is cleared after 10 s.
 */
async function removeStale(file: string, stale: LockRecord): Promise<boolean> {
  const guard = `${file}.takeover`;
  let fh;
  try {
    fh = await open(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const st = await stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10_000) await rm(guard, { force: true });
    return false;
  }
  try {
    const current = await readRecord(file);
    if (current && current.pid === stale.pid && current.startedAt === stale.startedAt)
      await rm(file, { force: true });
  } finally {
    await fh.close();
    await rm(guard, { force: true });
  }
  return true;
}
