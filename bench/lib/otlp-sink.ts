/**
 * A tiny OTLP/HTTP sink on loopback for the "tracing on" gateway line: answers every export
 * 200 at once and counts exports and bytes. It decodes nothing, so what the bench measures is
 * the gateway's own cost of making, batching and sending spans.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSink {
  url: string;
  exports: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const server = createServer((req, res) => {
    sink.exports++;
    req.on('data', (c: Buffer) => (sink.bytes += c.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sink: OtlpSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: 0,
    bytes: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sink;
}
