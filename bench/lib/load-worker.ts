/**
 * The load generator, run as its own process (pinned to its own core by the bench): keep-alive
 * HTTP/1.1 connections on raw sockets with prebuilt request bytes, so the client costs a few
 * microseconds per request and the server under test is what saturates.
 *
 * Closed loop (default): every connection sends its next request when the answer arrives →
 * maximum throughput. Open loop (`rate`): requests are due at fixed times spread over the
 * connections and latency counts from the due time (no coordinated omission) → latency at a
 * load the server can carry.
 *
 * Input: path of a JSON file {host, port, connections, durationMs, warmupMs, rate?, requests[]}
 * (`requests` are raw HTTP/1.1 requests, used round-robin). Output: one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

interface LoadConfig {
  host: string;
  port: number;
  connections: number;
  durationMs: number;
  warmupMs: number;
  rate?: number;
  requests: string[];
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadConfig;
const requests = cfg.requests.map((r) => Buffer.from(r, 'latin1'));
let nextRequest = 0;
const CRLFCRLF = Buffer.from('\r\n\r\n');

let phase: 'warmup' | 'measure' | 'done' = 'warmup';
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
let measureStart = 0;

/** Open loop: due times not yet handed to a connection. */
const backlog: number[] = [];

class Conn {
  private socket!: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private started = 0;
  busy = false;

  constructor(private readonly closedLoop: boolean) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket = connect(cfg.port, cfg.host, () => resolve());
      this.socket.setNoDelay(true);
      this.socket.on('data', (c: Buffer) => this.onData(c));
      this.socket.once('error', (e) => {
        errors++;
        reject(e);
      });
    });
  }

  send(dueAt = performance.now()): void {
    this.busy = true;
    this.started = dueAt;
    const r = requests[nextRequest++ % requests.length];
    this.socket.write(r);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const end = this.buf.indexOf(CRLFCRLF);
      if (end === -1) return;
      const head = this.buf.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let total: number;
      if (m) total = end + 4 + Number(m[1]);
      else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const term = this.buf.indexOf('0\r\n\r\n', end + 4);
        if (term === -1) return;
        total = term + 5;
      } else total = end + 4;
      if (this.buf.length < total) return;
      const status = head.slice(9, 12);
      this.buf = this.buf.subarray(total);
      this.done(status);
    }
  }

  private done(status: string): void {
    this.busy = false;
    const now = performance.now();
    if (phase === 'measure') {
      latencies.push(now - this.started);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    if (phase === 'done') return;
    if (this.closedLoop) this.send();
    else if (backlog.length) this.send(backlog.shift());
  }

  close(): void {
    this.socket.destroy();
  }
}

async function main(): Promise<void> {
  const closedLoop = !cfg.rate;
  const conns = Array.from({ length: cfg.connections }, () => new Conn(closedLoop));
  await Promise.all(conns.map((c) => c.open()));
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  if (closedLoop) for (const c of conns) c.send();
  else {
    const interval = 1000 / cfg.rate!;
    let due = t0;
    timer = setInterval(() => {
      const now = performance.now();
      while (due <= now) {
        const free = conns.find((c) => !c.busy);
        if (free) free.send(due);
        else backlog.push(due);
        due += interval;
      }
    }, 1);
  }
  await new Promise((r) => setTimeout(r, cfg.warmupMs));
  phase = 'measure';
  measureStart = performance.now();
  await new Promise((r) => setTimeout(r, cfg.durationMs));
  phase = 'done';
  const durationS = (performance.now() - measureStart) / 1000;
  clearInterval(timer);
  for (const c of conns) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : NaN;
  const result: LoadResult = {
    requests: latencies.length,
    durationS,
    rps: latencies.length / durationS,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    statuses,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator failed: ${(err as Error).message}\n`);
  process.exit(1);
});
