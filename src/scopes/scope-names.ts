/**
 * The scopes context's rules on names: the platform's reserved prefixes (DESIGN §10) and the
 * token lifetimes a scope may ask for. The grammar itself is shared and lives in common/auth.
 */
import { PLATFORM_SCOPE_PREFIXES } from '../common/auth/scopes.js';

/** `altinn`, `idporten`, `consentgw`: owned by the platform operator, never by an org. */
export const PLATFORM_PREFIXES: readonly string[] = Object.freeze(
  PLATFORM_SCOPE_PREFIXES.map((p) => p.replace(/:$/, '')),
);

export function isPlatformPrefix(prefix: string): boolean {
  return PLATFORM_PREFIXES.includes(prefix);
}

/** Token lifetime bounds a scope may ask for (seconds). See ScopeView.atMaxAge. */
export const AT_MAX_AGE_MIN = 120;
export const AT_MAX_AGE_MAX = 3600;
