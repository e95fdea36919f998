/**
 * Reading a request under `/proxy` before any check: which API it names, its header names (and
 * the headers that may appear only once), and a request id.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error.js';
import * as E from './gateway-errors.js';

const PREFIX_LENGTH = '/proxy/'.length;

/** Headers a request may carry only once: two values would be ambiguous between us and upstream. */
const SINGLE_HEADERS = new Map<string, number>(
  ['authorization', 'host', 'content-length', 'transfer-encoding', 'content-type'].map((n, i) => [n, 1 << i]),
);

/** Request ids for upstream calls: a per-process random prefix and a counter (no syscall per request). */
const ID_PREFIX = `gw${randomBytes(6).toString('hex')}`;
let idCounter = 0;
export function nextRequestId(): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${ID_PREFIX}-${idCounter.toString(36)}`;
}

/** True for `/proxy`, `/proxy/…` and `/proxy?…` (the gateway's part of the URL space). */
export function isProxyTarget(url: string | undefined): boolean {
  if (!url || !url.startsWith('/proxy')) return false;
  const c = url.charCodeAt(6);
  return Number.isNaN(c) || c === 0x2f || c === 0x3f;
}

/**
 * Where the API name in a `/proxy…` target ends: the name is `url.slice(7, end)` ('' when the
 * target names none) and the rest of the target (`url.slice(end)`) goes upstream.
 */
export function apiNameEnd(url: string): number {
  if (url.charCodeAt(PREFIX_LENGTH - 1) !== 0x2f) return PREFIX_LENGTH - 1;
  let end = PREFIX_LENGTH;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 0x2f || c === 0x3f) break;
    end++;
  }
  return end;
}

export function apiName(url: string, end: number): string {
  return end > PREFIX_LENGTH ? url.slice(PREFIX_LENGTH, end) : '';
}

/**
 * The lowercase header names (reused when building the upstream request), or 400 GW-00002 for
 * headers whose meaning would be ambiguous between the gateway and the upstream.
 */
export function headerNames(rawHeaders: readonly string[]): string[] | DomainError {
  const names: string[] = new Array<string>(rawHeaders.length >> 1);
  let seen = 0; // bits of SINGLE_HEADERS met so far: no Set per request
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    names[i >> 1] = name;
    const bit = SINGLE_HEADERS.get(name);
    if (bit === undefined) continue;
    if (seen & bit)
      return new DomainError(400, E.GW.badTarget, `The request carries the ${name} header more than once.`, {
        title: 'Bad Request',
      });
    seen |= bit;
    if (name === 'transfer-encoding' && rawHeaders[i + 1].trim().toLowerCase() !== 'chunked')
      return new DomainError(400, E.GW.badTarget, 'Only "Transfer-Encoding: chunked" is accepted.', {
        title: 'Bad Request',
      });
  }
  return names;
}
