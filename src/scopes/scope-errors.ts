/**
 * Problem codes of the scope registry (`urn:consentgw:error:<code>`). Stable: clients may match
 * on them.
 */
export const ScopeErrors = {
  /** 404: no such scope, or not one the caller may see (existence is not leaked). */
  notFound: 'SCP-00001',
  /** 403: the prefix is reserved for the platform operator. */
  platformPrefix: 'SCP-00002',
  /** 403: the prefix is claimed by another organisation. */
  prefixTaken: 'SCP-00003',
  /** 409: a scope with that name exists already. */
  exists: 'SCP-00004',
  /** 403: platform scopes are granted only with a `consentgw:admin` token. */
  platformGrantNeedsAdmin: 'SCP-00005',
  /** 404: the org holds no grant of the scope. */
  grantNotFound: 'SCP-00006',
  /** 403: the caller's org holds no grant of the scope it tries to delegate. */
  notGranted: 'SCP-00007',
  /** 404: no such delegation. */
  delegationNotFound: 'SCP-00008',
  /** 400: supplier and consumer are the same org. */
  selfDelegation: 'SCP-00009',
  /** 403: platform scopes are seeded and cannot be changed through the API. */
  platformScopeReadOnly: 'SCP-00010',
  /** 403: the operator scope is never delegated to a supplier. */
  notDelegable: 'SCP-00011',
} as const;
