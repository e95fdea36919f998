/**
 * A bare reverse proxy on node:http + undici (keep-alive pool, body streamed both ways, hop-by-hop
 * headers dropped): the baseline the gateway is measured against. `check` lets the jose baseline
 * add a token verification in front.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
]);

class Forward implements Dispatcher.DispatchHandler {
  private sent = false;
  constructor(private readonly res: ServerResponse) {}
  onRequestStart(): void {}
  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const out: Record<string, string | string[]> = {};
    for (const k in headers) if (!HOP.has(k) && headers[k] !== undefined) out[k] = headers[k];
    this.res.writeHead(status, out);
    this.sent = true;
  }
  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      c.pause();
      this.res.once('drain', () => c.resume());
    }
  }
  onResponseEnd(): void {
    this.res.end();
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.sent) this.res.destroy(err);
    else {
      this.res.writeHead(502);
      this.res.end();
    }
  }
}

export function createProxyServer(
  upstream: string,
  check?: (req: IncomingMessage) => Promise<boolean>,
): Server {
  const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 10_000 });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i].toLowerCase();
      if (!HOP.has(n) && n !== 'authorization') headers.push(raw[i], raw[i + 1]);
    }
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.dispatch(
      { path: req.url ?? '/', method: req.method ?? 'GET', headers, body: hasBody ? req : null },
      new Forward(res),
    );
  };
  return createServer((req, res) => {
    if (!check) return forward(req, res);
    check(req).then(
      (ok) => {
        if (ok) forward(req, res);
        else {
          res.writeHead(401);
          res.end();
        }
      },
      () => {
        res.writeHead(401);
        res.end();
      },
    );
  });
}

/** Prints `READY <port>` once listening (the bench waits for that line). */
export function listenAndAnnounce(server: Server): void {
  // Exit cleanly on the bench's SIGTERM (so `--cpu-prof` and friends can write their files).
  process.once('SIGTERM', () => process.exit(0));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`READY ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
}
