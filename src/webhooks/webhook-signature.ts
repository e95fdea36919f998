/**
 * Webhook signatures (DESIGN §10): `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, the
 * key being the subscription secret's UTF-8 bytes. The body carries the event `id` and the send
 * `time` (equal to `X-Webhook-Timestamp`), so both are covered by the signature: a receiver that
 * checks the signature, refuses a `time` older than a few minutes and remembers the ids it has
 * processed is safe against replays and duplicates (docs/getting-started-consumers.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signature';
export const WEBHOOK_ID_HEADER = 'x-webhook-id';
export const TIMESTAMP_HEADER = 'x-webhook-timestamp';

/** `sha256=<hex>` for this body and secret. */
export function signWebhookBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('hex')}`;
}

/** Constant-time check of an `X-Signature` value (what a receiver does; used by the tests and docs). */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  secret: string,
  header: string | undefined | null,
): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signWebhookBody(rawBody, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
