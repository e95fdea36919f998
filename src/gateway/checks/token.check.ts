/**
 * Token verified (401 GW-00003, 503 GW-00014 when the issuer's keys are unavailable), and its
 * `aud` contains the API's audience when the API sets one (401 GW-00003).
 *
 * A token seen before comes from the verifier's cache; a new one is verified synchronously when
 * the issuer's keys are at hand (no promise); only a key fetch makes the call wait.
 */
import { InvalidTokenError, KeysUnavailableError } from '../../common/auth/auth-errors.js';
import { extractBearerToken } from '../../common/auth/bearer-token.js';
import type { TokenVerifier } from '../../common/auth/token-verifier.js';

/** What the check uses of the verifier. */
export type TokenVerification = Pick<
  TokenVerifier,
  'verifyCached' | 'verifyUncachedNow' | 'verify' | 'explain'
>;
import type { DomainError } from '../../common/errors/domain-error.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';

/**
 * The bearer token, or the 401 to answer. The common exact form `Bearer <token>` is taken
 * without a regex over the (up to 8 KiB) token; the verifier checks the token's syntax anyway.
 */
export function bearerToken(header: string | undefined): string | DomainError {
  if (
    header !== undefined &&
    header.startsWith('Bearer ') &&
    header.length > 7 &&
    header.indexOf(' ', 7) === -1
  )
    return header.slice(7);
  const token = extractBearerToken(header);
  if (token === 'absent') return E.invalidToken('missing');
  if (token === 'malformed') return E.invalidToken('malformed');
  return token;
}

/** The gateway's code for a verifier failure (401 GW-00003 or 503 GW-00014). */
export function tokenProblem(e: unknown): DomainError {
  return e instanceof InvalidTokenError
    ? e.withCode(E.GW.invalidToken)
    : e instanceof KeysUnavailableError
      ? e.withCode(E.GW.keysUnavailable)
      : E.invalidToken();
}

function audienceContains(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}

export class TokenCheck implements GatewayCheck {
  readonly name = 'token';
  /** The issuer's keys are not in memory: fetch them, then verify. */
  readonly needsKeys = new Need('token verification (issuer keys)', async (call) => {
    try {
      call.principal = await this.verifier.verify(call.token);
    } catch (e) {
      throw tokenProblem(e);
    }
    call.token = '';
  });

  constructor(private readonly verifier: TokenVerification) {}

  run(call: GatewayCall): Verdict {
    let principal = call.principal;
    if (principal === null) {
      const token = bearerToken(call.req.headers.authorization);
      if (typeof token !== 'string') return token;
      principal = this.verifier.verifyCached(token) ?? null;
      if (principal !== null) call.reusedPrincipal = true;
      else {
        try {
          principal = this.verifier.verifyUncachedNow(token) ?? null;
        } catch (e) {
          return tokenProblem(e);
        }
        if (principal === null) {
          call.token = token;
          return this.needsKeys;
        }
      }
      call.principal = principal;
    }
    call.consumer = principal.consumer;
    const audience = call.route.audience;
    if (audience !== null && !audienceContains(principal.claims.aud, audience)) {
      const token = bearerToken(call.req.headers.authorization);
      return this.verifier.explain(
        E.invalidToken('audience'),
        typeof token === 'string' ? token : undefined,
        audience,
      );
    }
    return PASS;
  }
}
