/**
 * The built service and CLIs as real processes (dist/), for what only a second process can show:
 * the DATA_DIR lock, the CLIs next to a running server, `npm run demo`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * `scripts/ensure-build.mjs` (a no-op when dist/ is current, as in CI), one Jest worker at a time:
 * two `nest build`s writing dist/ together would break each other.
 */
export function ensureBuilt(): void {
  const lock = path.join(ROOT, '.test-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 300_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('waited 5 min for another worker to build dist/');
      execFileSync('sleep', ['1']);
    }
  }
  try {
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], {
      cwd: ROOT,
      stdio: 'ignore',
      timeout: 280_000,
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A clean environment: nothing of the test runner's database or log settings leaks in. */
export function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...extra,
  };
}

export interface Spawned {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const proc = spawn(process.execPath, [script, ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Runs a CLI to its end. */
export async function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = spawnNode(script, args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 180_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export { ROOT };
