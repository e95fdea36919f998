/** Platform scopes (DESIGN §3); use these constants instead of string literals in decorators. */
export const Scopes = {
  resourceRead: 'altinn:resourceregistry/resource.read',
  resourceWrite: 'altinn:resourceregistry/resource.write',
  accessListRead: 'altinn:resourceregistry/accesslist.read',
  accessListWrite: 'altinn:resourceregistry/accesslist.write',
  scopesRead: 'idporten:scopes.read',
  scopesWrite: 'idporten:scopes.write',
  dcrRead: 'idporten:dcr.read',
  dcrWrite: 'idporten:dcr.write',
  consentRequestsRead: 'altinn:consentrequests.read',
  consentRequestsWrite: 'altinn:consentrequests.write',
  consentRequestsOrg: 'altinn:consentrequests.org',
  consentLookup: 'altinn:maskinporten/consent.read',
  admin: 'consentgw:admin',
} as const;

export type PlatformScope = (typeof Scopes)[keyof typeof Scopes];

export const PLATFORM_SCOPES: readonly PlatformScope[] = Object.freeze(Object.values(Scopes));

/** What each platform scope allows (seeded scope descriptions and the OpenAPI OAuth2 scheme). */
export const SCOPE_DESCRIPTIONS: Record<PlatformScope, string> = {
  [Scopes.resourceRead]: 'Read the caller’s consent resources, templates and protected APIs.',
  [Scopes.resourceWrite]: 'Manage the caller’s consent resources and protected APIs.',
  [Scopes.accessListRead]: 'Read the caller’s access lists.',
  [Scopes.accessListWrite]: 'Manage the caller’s access lists.',
  [Scopes.scopesRead]: 'Read the caller’s scopes, grants and delegations.',
  [Scopes.scopesWrite]: 'Manage the caller’s scopes, grants and delegations.',
  [Scopes.dcrRead]: 'Read the caller’s clients and their public keys.',
  [Scopes.dcrWrite]: 'Manage the caller’s clients and their public keys.',
  [Scopes.consentRequestsRead]: 'Read consent requests sent by the caller, the events feed and webhooks.',
  [Scopes.consentRequestsWrite]: 'Create and cancel consent requests.',
  [Scopes.consentRequestsOrg]:
    'Create consent requests whose `to` differs from the caller (granted sparingly, to trusted intermediaries).',
  [Scopes.consentLookup]:
    'Look up consents for an external token issuer (granted sparingly, to the issuer operator only).',
  [Scopes.admin]:
    'Platform operator: service owners, organisation roles, platform scope grants; all else read-only.',
};

/** Prefixes reserved for the platform operator (DESIGN §10): never creatable by an owner. */
export const PLATFORM_SCOPE_PREFIXES = ['altinn:', 'idporten:', 'consentgw:'] as const;

/**
 * Scope name grammar (Maskinporten: `<prefix>:<subscope>`), in one place so DTOs, the seeder
 * and the services of every context agree on every character.
 */
export const SCOPE_PREFIX_PATTERN = /^[a-z0-9]{2,30}$/;
export const SUBSCOPE_PATTERN = /^[a-z0-9._/-]{1,100}$/;
export const SCOPE_NAME_PATTERN = /^[a-z0-9]{2,30}:[a-z0-9._/-]{1,100}$/;

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
