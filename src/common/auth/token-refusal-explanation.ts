/**
 * Which check refused a bearer token, in words, for the problem `detail` outside production
 * (docs/errors.md, "Invalid tokens"): "The access token is invalid: its issuer … is not trusted here".
 * A developer whose token minted for another port or audience is refused learns why at once.
 * Production keeps the one generic detail (naming the check helps a prober); the log line has
 * the `reason` in every environment. The token's own claims are quoted, cut short and
 * JSON-escaped — never its signature or the whole token.
 */
import type { InvalidTokenReason } from './auth-errors.js';

export interface ExplanationContext {
  /** Issuers this server trusts (the built-in one first). */
  trustedIssuers: readonly string[];
  maxTokenBytes: number;
  maxTokenLifetimeSeconds: number;
  clockSkewSeconds: number;
  nowMs: number;
  /** The audience the API requires (gateway `audience` checks). */
  audience?: string;
}

function part(token: string, index: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(
      Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'),
    );
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** A claim as quoted in a sentence: JSON, at most 100 characters. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}

function when(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) && Math.abs(seconds) < 1e11
    ? new Date(seconds * 1000).toISOString()
    : quote(seconds);
}

/** The sentence for `reason`, or undefined when there is nothing more to say than the reason. */
export function explainTokenRefusal(
  reason: InvalidTokenReason,
  token: string | undefined,
  ctx: ExplanationContext,
): string | undefined {
  const header = token ? part(token, 0) : {};
  const claims = token ? part(token, 1) : {};
  const now = new Date(ctx.nowMs).toISOString();
  switch (reason) {
    case 'malformed':
      return 'it is not a compact JWS (three base64url parts, header and payload JSON objects).';
    case 'too_large':
      return `it is longer than ${ctx.maxTokenBytes} bytes.`;
    case 'header':
      return 'its header carries a member that is not accepted (jku, x5u, jwk, x5c, crit) or an unexpected typ.';
    case 'algorithm':
      return `its alg ${quote(header.alg)} is not accepted (RS256, RS384, RS512 or ES256).`;
    case 'kid':
      return 'its header names no usable kid.';
    case 'issuer':
      return `its issuer (iss) ${quote(claims.iss)} is not trusted here; trusted: ${ctx.trustedIssuers.map((i) => quote(i)).join(', ')}. A token from \`npm run token\` must be minted with this server's PUBLIC_URL.`;
    case 'key_unknown':
      return `its issuer ${quote(claims.iss)} publishes no key with kid ${quote(header.kid)}.`;
    case 'key_type':
      return `the key with kid ${quote(header.kid)} is not of the type alg ${quote(header.alg)} needs.`;
    case 'signature':
      return `its signature does not verify with the issuer's key ${quote(header.kid)}.`;
    case 'expired':
      return `it expired at ${when(claims.exp)} (server time ${now}, leeway ${ctx.clockSkewSeconds} s).`;
    case 'not_yet_valid':
      return `it is not valid before ${when(claims.nbf)} (server time ${now}).`;
    case 'issued_in_future':
      return `it was issued (iat) at ${when(claims.iat)}, in the future (server time ${now}).`;
    case 'lifetime':
      return `exp − iat must be positive and at most ${ctx.maxTokenLifetimeSeconds} s (MAX_TOKEN_LIFETIME_SECONDS).`;
    case 'claims':
      return 'exp and iat must be numbers, nbf a number when present, sub and client_id strings.';
    case 'consumer':
      return 'its consumer (or supplier) claim must be {"authority":"iso6523-actorid-upis","ID":"0192:<organisation number>"} with a valid organisation number.';
    case 'scope_claim':
      return 'its scope claim must be a string of space-separated scopes.';
    case 'audience':
      return `${claims.aud === undefined ? 'it has no aud' : `its aud ${quote(claims.aud)} does not include ${quote(ctx.audience)}`}; this API requires ${quote(ctx.audience)} (ask /token for it with resource=${ctx.audience ?? ''}).`;
    default:
      return undefined;
  }
}
