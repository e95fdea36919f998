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

/** Prefixes reserved for the platform operator (DESIGN §10): never creatable by an owner. */
export const PLATFORM_SCOPE_PREFIXES = ['altinn:', 'idporten:', 'consentgw:'] as const;
