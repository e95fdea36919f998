/**
 * The one continuation-token format of the service, for every paged list (DESIGN §4: pages are
 * `{links:{next}, data}`). A token is opaque to clients: base64url of the page's position (JSON)
 * followed by a 128-bit HMAC over that position, the kind of page and the scope it was issued
 * for. So a client can neither forge or shift a position nor replay a token against another
 * list, owner or caller: anything but a token we issued for exactly this page → 400.
 *
 * What a token pins beyond the position is the context's rule, not this module's: access lists
 * put the list version in their position and answer 412 when it moved; the consent API maps a
 * bad token to its own AM.VLD-00053.
 *
 * The key is derived from KEY_ENCRYPTION_SECRET (required in production), domain-separated
 * from its other uses, so every replica accepts every other's tokens and they survive restarts.
 * Without the secret (development only) the key is a fixed one: tokens still bind kind and
 * scope, but are not secret-keyed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { INVALID_VALUE } from '../errors/validation-errors.js';

const MAC_BYTES = 16;
/** Longer than any position we write; bounds the work spent on a hostile query string. */
const MAX_TOKEN_CHARS = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A token that is not one we issued for this page. By default the 400 of the admin and consumer
 * APIs (`STD.VLD-00001` at `$.continuationToken`); a context with its own code catches it.
 */
export class InvalidContinuationToken extends DomainError {
  constructor() {
    super(400, INVALID_VALUE, 'The continuation token is invalid.', {
      title: 'Bad Request',
      validationErrors: [
        { code: INVALID_VALUE, title: 'The continuation token is invalid', paths: ['$.continuationToken'] },
      ],
    });
    this.name = 'InvalidContinuationToken';
  }
}

/** How one kind of position is written into a token and read back (undefined: not ours). */
export interface PositionCodec<P> {
  write(position: P): unknown;
  read(value: unknown): P | undefined;
}

/** The tokens of one kind of page; `scope` is what the page belongs to (owner, list, caller). */
export interface PageTokens<P> {
  encode(scope: string, position: P): string;
  /** The position, or throws InvalidContinuationToken. */
  decode(token: string, scope: string): P;
}

@Injectable()
export class ContinuationTokens {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'keyEncryptionSecret'>) {
    this.key = createHmac('sha256', config.keyEncryptionSecret ?? 'development only')
      .update('consentgw/continuation-token/v1')
      .digest();
  }

  /** Tokens for one kind of page, e.g. `access-lists/members`; kinds never accept each other's. */
  forPages<P>(kind: string, codec: PositionCodec<P>): PageTokens<P> {
    return {
      encode: (scope, position) => this.encode(kind, scope, codec.write(position)),
      decode: (token, scope) => {
        const position = codec.read(this.decode(token, kind, scope));
        if (position === undefined) throw new InvalidContinuationToken();
        return position;
      },
    };
  }

  private encode(kind: string, scope: string, position: unknown): string {
    const payload = Buffer.from(JSON.stringify(position), 'utf8');
    return Buffer.concat([payload, this.mac(kind, scope, payload)]).toString('base64url');
  }

  private decode(token: string, kind: string, scope: string): unknown {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token))
      throw new InvalidContinuationToken();
    const raw = Buffer.from(token, 'base64url');
    // One spelling per token: no trailing bits, so a token cannot be varied to look new.
    if (raw.length <= MAC_BYTES || raw.toString('base64url') !== token) throw new InvalidContinuationToken();
    const payload = raw.subarray(0, raw.length - MAC_BYTES);
    if (!timingSafeEqual(raw.subarray(raw.length - MAC_BYTES), this.mac(kind, scope, payload)))
      throw new InvalidContinuationToken();
    try {
      return JSON.parse(payload.toString('utf8')) as unknown;
    } catch {
      throw new InvalidContinuationToken(); // unreachable for tokens we wrote
    }
  }

  private mac(kind: string, scope: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.key)
      .update(`${kind}\u0000${scope}\u0000`)
      .update(payload)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
