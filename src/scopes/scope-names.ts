/**
 * Scope name grammar (Maskinporten: `<prefix>:<subscope>`) and the platform's reserved prefixes
 * (DESIGN §10). Kept in one place so DTOs, the seeder and the services agree on every character.
 */
import { PLATFORM_SCOPE_PREFIXES } from '../common/auth/scopes.js';

export const PREFIX_PATTERN = /^[a-z0-9]{2,30}$/;
export const SUBSCOPE_PATTERN = /^[a-z0-9._/-]{1,100}$/;
export const SCOPE_NAME_PATTERN = /^[a-z0-9]{2,30}:[a-z0-9._/-]{1,100}$/;

/** `altinn`, `idporten`, `consentgw`: owned by the platform operator, never by an org. */
export const PLATFORM_PREFIXES: readonly string[] = Object.freeze(
  PLATFORM_SCOPE_PREFIXES.map((p) => p.replace(/:$/, '')),
);

export function isPlatformPrefix(prefix: string): boolean {
  return PLATFORM_PREFIXES.includes(prefix);
}

export interface ScopeNameParts {
  prefix: string;
  subscope: string;
}

/** Splits at the first colon; null when the name does not follow the grammar. */
export function parseScopeName(name: string): ScopeNameParts | null {
  if (!SCOPE_NAME_PATTERN.test(name)) return null;
  const i = name.indexOf(':');
  return { prefix: name.slice(0, i), subscope: name.slice(i + 1) };
}

/** Token lifetime bounds a scope may ask for (seconds). See ScopeView.atMaxAge. */
export const AT_MAX_AGE_MIN = 120;
export const AT_MAX_AGE_MAX = 3600;
