import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJwksDocument, JwksFetchError } from './jwks-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
});

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwk`;
}

const opts = { timeoutMs: 300, maxBytes: 1024 };

async function failure(url: string): Promise<string> {
  try {
    await fetchJwksDocument(url, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(JwksFetchError);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('fetchJwksDocument', () => {
  it('returns the parsed document', async () => {
    const url = await serve((_q, r) => r.end('{"keys":[]}'));
    await expect(fetchJwksDocument(url, opts)).resolves.toEqual({ keys: [] });
  });

  it('accepts a body of exactly the limit', async () => {
    const body = `{"keys":[],"p":"${'x'.repeat(1024 - 18)}"}`;
    expect(Buffer.byteLength(body)).toBe(1024);
    const url = await serve((_q, r) => r.end(body));
    await expect(fetchJwksDocument(url, opts)).resolves.toMatchObject({ keys: [] });
  });

  it('fails on a declared content-length over the limit', async () => {
    const url = await serve((_q, r) => r.end('x'.repeat(1025)));
    expect(await failure(url)).toBe('response larger than 1024 bytes');
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    let finished = false;
    const url = await serve((_q, r) => {
      r.writeHead(200);
      const timer = setInterval(() => {
        if (!r.write('x'.repeat(512))) return;
      }, 5);
      r.on('close', () => {
        clearInterval(timer);
        finished = true;
      });
    });
    expect(await failure(url)).toBe('response larger than 1024 bytes');
    await new Promise((res) => setTimeout(res, 50));
    expect(finished).toBe(true); // the connection was dropped, not drained
  });

  it('fails on HTTP errors and redirects', async () => {
    expect(await failure(await serve((_q, r) => (r.writeHead(404), r.end('{"keys":[]}'))))).toBe('HTTP 404');
    await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
    const redirect = await serve((_q, r) => (r.writeHead(302, { location: 'http://127.0.0.1:1/' }), r.end()));
    expect(await failure(redirect)).toMatch(/redirect/i);
  });

  it('fails on invalid JSON, duplicate member names and invalid UTF-8', async () => {
    let body: string | Buffer = '{"keys":';
    const url = await serve((_q, r) => r.end(body));
    expect(await failure(url)).toBe('response is not valid JSON');
    body = '{"keys":[],"keys":[]}';
    expect(await failure(url)).toBe('response is not valid JSON');
    body = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(await failure(url)).toBe('response is not UTF-8');
  });

  it('times out a server that never answers', async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    expect(await failure(url)).toBe('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out a body that stalls after the headers', async () => {
    const url = await serve((_q, r) => {
      r.writeHead(200);
      r.write('{"keys":');
    });
    expect(await failure(url)).toBe('timed out after 300 ms');
  });

  it('reports a refused connection', async () => {
    const url = await serve(() => undefined);
    await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
    server = undefined;
    expect(await failure(url)).toBe('ECONNREFUSED');
  });
});
