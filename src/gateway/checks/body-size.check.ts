/**
 * Body size (413 GW-00016): a declared `Content-Length` is judged now; a chunked body is counted
 * while it streams (forwarding fails it with the same code once it passes the API's limit).
 */
import type { BodyKind, GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export function bodyKind(contentLength: string | undefined, transferEncoding: string | undefined): BodyKind {
  if (transferEncoding !== undefined) return 'chunked';
  if (contentLength !== undefined && contentLength !== '0') return 'sized';
  return 'none';
}

export class BodySizeCheck implements GatewayCheck {
  readonly name = 'body size';

  run(call: GatewayCall): Verdict {
    const headers = call.req.headers;
    const body = bodyKind(headers['content-length'], headers['transfer-encoding']);
    call.body = body;
    const max = call.route.maxBodyBytes;
    if (body === 'sized' && Number(headers['content-length']) > max) return E.bodyTooLarge(max);
    return PASS;
  }
}
