/**
 * The server-wide request guard on a bare Fastify server: a request that arrives on an open
 * connection while the server closes gets 503 problem+json (not Fastify's own JSON body).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { installRequestTargetGuard } from './request-target.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close().catch(() => undefined);
});

describe('installRequestTargetGuard while the server closes', () => {
  it('answers a request that arrives during shutdown with 503 problem+json and Retry-After', async () => {
    app = Fastify({ return503OnClosing: false, forceCloseConnections: false });
    installRequestTargetGuard(app);
    app.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { ok: true };
    });
    app.get('/x', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    const ended = new Promise((r) => socket.on('close', r));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closed = app.close(); // in flight: /slow finishes, the next request is refused
    socket.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    socket.destroy();

    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toMatch(/content-type: application\/problem\+json/i);
    expect(responses[1]).toMatch(/retry-after: 1/i);
    expect(responses[1]).toContain('"code":"STD-00503"');
    expect(responses[1]).toContain('The service is shutting down; retry on another instance.');
  });
});
