/**
 * One HTTP attempt of one delivery. undici with its own connection pool: a 10 s limit on the
 * whole attempt, redirects never followed (a 3xx is a failure — following it would let a
 * receiver bounce us to an address the URL check refused), and in production every resolved
 * address checked at connect time (`guardedLookup`). The receiver's answer body is read only as
 * far as the delivery log needs it.
 */
import { isIP } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { BlockedAddressError, guardedLookup, isBlockedAddress } from './webhook-url.js';

export const SEND_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** How much of a refusing receiver's body the delivery log keeps. */
const ERROR_EXCERPT_CHARS = 200;
const USER_AGENT = 'consent-gateway-webhooks/1.0';

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
}

export interface SendResult {
  ok: boolean;
  /** HTTP status when the receiver answered. */
  status?: number;
  /** Why it failed, for the delivery log (never a stack trace). */
  error?: string;
  /** True when the attempt was aborted by us (shutdown), not failed by the receiver. */
  aborted?: boolean;
}

export class WebhookSender {
  private readonly agent: Dispatcher;

  constructor(private readonly allowPrivate: boolean) {
    this.agent = new Agent({
      connect: { timeout: CONNECT_TIMEOUT_MS, ...(allowPrivate ? {} : { lookup: guardedLookup }) },
      headersTimeout: SEND_TIMEOUT_MS,
      bodyTimeout: SEND_TIMEOUT_MS,
      keepAliveTimeout: 30_000,
      connections: 16,
    });
  }

  async send(req: SendRequest): Promise<SendResult> {
    const url = new URL(req.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal IP is connected to without a lookup, so it is checked here.
    if (!this.allowPrivate && isIP(host) && isBlockedAddress(host))
      return { ok: false, error: new BlockedAddressError(host, host).message };
    const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...req.headers },
        body: req.body,
        signal,
      });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return { ok: true, status: res.statusCode };
      }
      const excerpt = await readExcerpt(res.body);
      const reason = res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed)' : '';
      return {
        ok: false,
        status: res.statusCode,
        error: `receiver answered ${res.statusCode}${reason}${excerpt ? `: ${excerpt}` : ''}`,
      };
    } catch (err) {
      if (req.signal?.aborted) return { ok: false, aborted: true, error: 'attempt interrupted by shutdown' };
      if (timeout.aborted) return { ok: false, error: `no answer within ${SEND_TIMEOUT_MS / 1000} s` };
      return { ok: false, error: describe(err) };
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= 1024) break;
    }
    body.destroy();
    return (
      Buffer.concat(chunks)
        .toString('utf8')
        // Control characters (C0 and DEL) would garble the log view.
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u001f\u007f]+/g, ' ')
        .trim()
        .slice(0, ERROR_EXCERPT_CHARS)
    );
  } catch {
    return '';
  }
}

/** A network error in words, without internals. */
function describe(err: unknown): string {
  if (err instanceof BlockedAddressError) return err.message;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.cause instanceof BlockedAddressError) return e.cause.message;
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no answer within ${SEND_TIMEOUT_MS / 1000} s`;
    case 'EWEBHOOKBLOCKED':
      return e.message ?? 'refused: private address';
    default:
      if (typeof code === 'string' && /^(CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code))
        return `TLS error (${code})`;
      return code ? `network error (${code})` : 'network error';
  }
}
