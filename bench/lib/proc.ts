/** Child processes for the bench: pinned to a core with taskset (when present), RSS sampling. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load-worker.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));

let tasksetChecked: boolean | undefined;
export function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** `node <script> ...args` pinned to `core` (taskset execs, so the pid is node's). */
export function spawnPinned(
  core: number | null,
  script: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): ChildProcess {
  const node = [process.execPath, ...nodeArgs, script, ...args];
  const [cmd, ...rest] = core !== null && hasTaskset() ? ['taskset', '-c', String(core), ...node] : node;
  return spawn(cmd, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a `READY <port>` line; returns the port. */
export function readyPort(child: ChildProcess, what: string, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in time: ${err}`)), timeoutMs);
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${err}`));
    });
  });
}

export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of a process (all threads), milliseconds. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based) of the whole line, in clock ticks (USER_HZ = 100).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface LoadOptions {
  port: number;
  requests: string[];
  connections?: number;
  durationMs?: number;
  warmupMs?: number;
  rate?: number;
}

/** Runs the load generator on `core` against 127.0.0.1:port; samples `serverPid`'s peak RSS meanwhile. */
export async function runLoad(
  core: number | null,
  o: LoadOptions,
  serverPid?: number,
): Promise<LoadResult & { peakRssBytes: number; serverCpuMs: number }> {
  const file = path.join(tmpdir(), `consentgw-bench-load-${process.pid}-${Date.now()}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      host: '127.0.0.1',
      port: o.port,
      connections: o.connections ?? 50,
      durationMs: o.durationMs ?? 5000,
      warmupMs: o.warmupMs ?? 1000,
      rate: o.rate,
      requests: o.requests,
    }),
  );
  let peak = serverPid ? rssBytes(serverPid) : 0;
  const sampler = serverPid
    ? setInterval(() => (peak = Math.max(peak, rssBytes(serverPid))), 100)
    : undefined;
  // Server CPU over the measured window only (after the warm-up).
  let cpuStart = NaN;
  let cpuEnd = NaN;
  const warm = o.warmupMs ?? 1000;
  const t1 = serverPid ? setTimeout(() => (cpuStart = cpuMs(serverPid)), warm) : undefined;
  const t2 = serverPid
    ? setTimeout(() => (cpuEnd = cpuMs(serverPid)), warm + (o.durationMs ?? 5000))
    : undefined;
  try {
    const child = spawnPinned(core, path.join(HERE, 'load-worker.js'), [file]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`load generator failed (${code}): ${err}`);
    return {
      ...(JSON.parse(out.trim().split('\n').pop()!) as LoadResult),
      peakRssBytes: peak,
      serverCpuMs: cpuEnd - cpuStart,
    };
  } finally {
    clearInterval(sampler);
    clearTimeout(t1);
    clearTimeout(t2);
    rmSync(file, { force: true });
  }
}

/** A raw HTTP/1.1 request (keep-alive). */
export function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string>,
  host: string,
): string {
  const lines = [
    `${method} ${target} HTTP/1.1`,
    `host: ${host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
