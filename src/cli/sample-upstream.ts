import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The sample upstream API of `npm run demo` (and of the guides with `npm start`): an echo server
 * in the answer shape of `mendhak/http-https-echo`, the compose demo's upstream, so the same
 * documented answer fits both. It shows what the gateway passed on (the `X-Consent-*` headers).
 */
export async function startSampleUpstream(
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      const echo = {
        path: url.pathname,
        method: req.method,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo, null, 2));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, server };
}

/** `node dist/cli/sample-upstream.js [--port 8081]`: the sample upstream on its own (the guides with `npm start`). */
async function runAlone(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'usage: node dist/cli/sample-upstream.js [--port 8081]   an echo API for the guides\n',
    );
    return;
  }
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : 8081;
  const { url } = await startSampleUpstream(port);
  process.stdout.write(`sample upstream (echo) listening on ${url}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) void runAlone();
