/**
 * RFC 7523 JWT-bearer assertions (Maskinporten's "JWT grant"). The assertion both authenticates
 * the client and carries the request, so the order is: authenticate first (structure, header,
 * `iss` → an active client, `kid` → one of *that* client's keys, signature), each failure a 401
 * `invalid_client`; only then judge the claims (`aud`, `exp`, `iat`, lifetime, `jti`), each a
 * 400 `invalid_grant`. An unauthenticated caller thus learns nothing about the claim rules, and
 * a key of client A can never speak for client B (keys are looked up per client).
 */
import { Inject, Injectable } from '@nestjs/common';
import { compactVerify } from 'jose';
import { InvalidTokenError } from '../common/auth/auth-errors.js';
import { AUTH_CLOCK, type Clock } from '../common/auth/clock.js';
import { parseCompactJws } from '../common/auth/compact-jws.js';
import { ALLOWED_ALGORITHMS, MAX_KID_LENGTH, type AllowedAlgorithm } from '../common/auth/header-policy.js';
import { buildKeySet } from '../common/auth/jwk-set.js';
import { ClientsService, type ActiveClient } from '../clients/clients.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OAuthError } from './oauth-error.js';

import { ASSERTION_IAT_SKEW_SECONDS, MAX_ASSERTION_LIFETIME_SECONDS } from './assertion-limits.js';
/** Assertions carry a few claims; 8 KiB leaves room for authorization_details. */
export const MAX_ASSERTION_BYTES = 8 * 1024;
const MAX_JTI_LENGTH = 255;
/** A jti with control characters could smuggle lines into logs; real ones are UUIDs or base64url. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Header members that would let the token choose or supply its own key (key injection, SSRF),
 * change what is signed (b64), or demand extensions we do not implement (crit). Certificates
 * (x5c) are a Maskinporten option we do not support: clients register keys.
 */
const FORBIDDEN_HEADERS = [
  'jku',
  'x5u',
  'jwk',
  'x5c',
  'x5t',
  'x5t#S256',
  'crit',
  'b64',
  'zip',
  'enc',
  'epk',
  'cty',
];
/** RFC 8725 §3.11 explicit typing: an access token (`at+jwt`) is not an assertion. */
const ACCEPTED_TYP = new Set(['jwt', 'application/jwt', 'client-authentication+jwt']);

export interface VerifiedAssertion {
  client: ActiveClient;
  alg: AllowedAlgorithm;
  kid: string;
  jti: string;
  /** `exp`, seconds since the epoch: the jti is remembered until then. */
  exp: number;
  /** All claims of the verified payload (scope, resource, consumer_org, authorization_details …). */
  claims: Record<string, unknown>;
}

/** Thrown once the client is known, so refusals can be audited against it. */
export class ClientRefusal extends OAuthError {
  constructor(
    readonly client: ActiveClient,
    cause: OAuthError,
  ) {
    super(cause.error, cause.reason, {
      description: cause.detail,
      status: cause.status,
      headers: cause.headers,
    });
  }
}

function isAllowedAlgorithm(v: unknown): v is AllowedAlgorithm {
  return typeof v === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(v);
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

@Injectable()
export class AssertionVerifier {
  constructor(
    private readonly clients: ClientsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  get audience(): string {
    return `${this.config.publicUrl}/`;
  }

  async verify(assertion: string): Promise<VerifiedAssertion> {
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      // Size, three canonical base64url parts, strict UTF-8 JSON without duplicate members.
      // `alg: none` has an empty signature part and fails here too.
      ({ header, payload } = parseCompactJws(assertion, MAX_ASSERTION_BYTES));
    } catch (e) {
      throw OAuthError.invalidClient(
        e instanceof InvalidTokenError ? `assertion_${e.reason}` : 'assertion_malformed',
      );
    }

    const { alg, kid, typ } = header;
    if (FORBIDDEN_HEADERS.some((h) => Object.hasOwn(header, h)))
      throw OAuthError.invalidClient('header_member');
    if (!isAllowedAlgorithm(alg)) throw OAuthError.invalidClient('algorithm');
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)
      throw OAuthError.invalidClient('kid');
    if (typ !== undefined && (typeof typ !== 'string' || !ACCEPTED_TYP.has(typ.toLowerCase())))
      throw OAuthError.invalidClient('typ');

    const iss = payload.iss;
    if (typeof iss !== 'string' || iss.length === 0) throw OAuthError.invalidClient('iss');
    const client = await this.clients.findActiveClient(iss);
    if (!client) throw OAuthError.invalidClient('unknown_client');

    try {
      await this.checkSignature(assertion, client, alg, kid);
      const claims = this.checkClaims(payload);
      return { client, alg, kid, ...claims, claims: payload };
    } catch (e) {
      throw e instanceof OAuthError ? new ClientRefusal(client, e) : e;
    }
  }

  private async checkSignature(assertion: string, client: ActiveClient, alg: AllowedAlgorithm, kid: string) {
    // Only this client's keys are candidates; unusable ones (weak RSA, private material) drop out.
    const { keys } = buildKeySet({ keys: client.keys.map((k) => ({ ...k.jwk, kid: k.kid })) });
    const candidates = keys.get(kid);
    if (!candidates?.length) throw OAuthError.invalidClient('unknown_kid');
    const key = candidates.find((k) => k.kty === (alg === 'ES256' ? 'EC' : 'RSA'));
    // An RSA key never verifies ES256 and vice versa; a key that names its alg is bound to it.
    if (!key || (key.alg !== undefined && key.alg !== alg)) throw OAuthError.invalidClient('key_type');
    try {
      await compactVerify(assertion, key.key, { algorithms: [alg] });
    } catch {
      throw OAuthError.invalidClient('signature');
    }
  }

  private checkClaims(payload: Record<string, unknown>): { jti: string; exp: number } {
    const now = this.clock() / 1000;
    const { aud, exp, iat, nbf, jti } = payload;
    // Maskinporten: `aud` is the issuer identifier, a single value (a string or a one-element array).
    const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
    if (audience !== this.audience)
      throw new OAuthError('invalid_grant', 'aud', {
        description: `Invalid assertion. aud must be this issuer's identifier, "${this.audience}".`,
      });
    if (!isNumericDate(exp) || !isNumericDate(iat)) throw OAuthError.invalidGrant('exp_iat_missing');
    if (exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) throw OAuthError.invalidGrant('lifetime');
    if (Math.abs(iat - now) > ASSERTION_IAT_SKEW_SECONDS) throw OAuthError.invalidGrant('iat');
    // No leeway on exp: the ±10 s iat window already absorbs clock differences.
    if (exp <= now) throw OAuthError.invalidGrant('expired');
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now + ASSERTION_IAT_SKEW_SECONDS))
      throw OAuthError.invalidGrant('nbf');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH || CONTROL_CHARS.test(jti))
      throw OAuthError.invalidGrant('jti');
    return { jti, exp };
  }
}
