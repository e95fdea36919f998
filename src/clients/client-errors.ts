/** Problem codes of the client registry (`urn:consentgw:error:<code>`). Stable: clients may match on them. */
export const ClientErrors = {
  /** 404: no such client for the caller's org (another org's client looks the same). */
  notFound: 'CLI-00001',
  /** 400: a scope on the client does not exist or is inactive. */
  unknownScope: 'CLI.VLD-00001',
  /** 400: a key is not a usable public signature key (type, size, encoding, alg, use). */
  invalidKey: 'CLI.VLD-00002',
  /** 400: a key carries private material; nothing is stored. */
  privateKey: 'CLI.VLD-00003',
  /** 400: two keys with the same kid. */
  duplicateKid: 'CLI.VLD-00004',
  /** 400: more keys than a client may hold. */
  tooManyKeys: 'CLI.VLD-00005',
} as const;
