/**
 * Fetches an external issuer's JWKS: one GET, redirects refused, an overall deadline, and a hard
 * size cap enforced while streaming so a hostile or broken endpoint cannot make us buffer more
 * than `maxBytes`.
 *
 * Uses Node's global fetch: the `undici` 8 package in node_modules needs Node ≥ 22.19 and fails
 * to load on Node 20 (missing zlib.createZstdDecompress).
 */
import { parseStrictJson } from './strict-json.js';

export class JwksFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksFetchError';
  }
}

export interface JwksFetchOptions {
  timeoutMs: number;
  maxBytes: number;
}

export type JwksLoader = () => Promise<unknown>;

function describe(e: unknown, timeoutMs: number): string {
  if (e instanceof JwksFetchError) return e.message;
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const text = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return text.slice(0, 200);
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new JwksFetchError(`response larger than ${maxBytes} bytes`);
      chunks.push(value);
    }
  } catch (e) {
    // Stop reading and release the connection.
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  return Buffer.concat(chunks, total);
}

export async function fetchJwksDocument(
  url: string,
  { timeoutMs, maxBytes }: JwksFetchOptions,
): Promise<unknown> {
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      // A redirect could point anywhere; the configured URL is the only trusted location.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new JwksFetchError(`HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new JwksFetchError(`response larger than ${maxBytes} bytes`);
    }
    const bytes = await readCapped(res.body, maxBytes);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new JwksFetchError('response is not UTF-8');
    }
    try {
      return parseStrictJson(text);
    } catch {
      throw new JwksFetchError('response is not valid JSON');
    }
  } catch (e) {
    throw new JwksFetchError(describe(e, timeoutMs));
  }
}

export function httpJwksLoader(url: string, options: JwksFetchOptions): JwksLoader {
  return () => fetchJwksDocument(url, options);
}
