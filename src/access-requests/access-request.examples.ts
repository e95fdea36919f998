/** Swagger examples: what the consumer and the owner see at each step (same shape for both). */
const base = {
  id: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a',
  resource: 'skd-inntekt-samtykke',
  consumerOrgNumber: '991825827',
  ownerOrgNumber: '974761076',
  scopes: ['skd:inntekt'],
  message: 'Vi er en bank og trenger inntektsopplysninger for kredittvurdering.',
  createdAt: '2026-11-25T16:08:00.000Z',
  contactPoints: [
    { category: 'Tilgang', email: 'tilgang@skatteetaten.no', contactPage: 'https://skatteetaten.no/tilgang' },
  ],
};

export const PENDING_EXAMPLE = {
  ...base,
  status: 'pending',
  reason: null,
  accessList: null,
  updatedAt: '2026-11-25T16:08:00.000Z',
};

export const APPROVED_EXAMPLE = {
  ...base,
  status: 'approved',
  reason: null,
  accessList: 'banker',
  updatedAt: '2026-11-26T09:12:45.000Z',
};

export const REJECTED_EXAMPLE = {
  ...base,
  status: 'rejected',
  reason: 'Tjenesten er bare åpen for finansforetak.',
  accessList: null,
  updatedAt: '2026-11-26T09:12:45.000Z',
};

export const WITHDRAWN_EXAMPLE = {
  ...base,
  status: 'withdrawn',
  reason: null,
  accessList: null,
  updatedAt: '2026-11-25T17:00:00.000Z',
};

export const CREATE_BODY_EXAMPLES = {
  scopeAndList: {
    summary: 'Consumer asks for a scope and a place on the access list',
    value: {
      resource: 'skd-inntekt-samtykke',
      scopes: ['skd:inntekt'],
      message: 'Vi er en bank og trenger inntektsopplysninger for kredittvurdering.',
    },
  },
  listOnly: {
    summary: 'Consumer already holds the scope and asks only for the access list',
    value: { resource: 'skd-inntekt-samtykke', scopes: [], message: 'Vi har scopet fra før.' },
  },
};

export const APPROVE_BODY_EXAMPLES = {
  identifier: { summary: "Owner adds the consumer to its list 'banker'", value: { accessList: 'banker' } },
  urn: {
    summary: 'The same list named by URN',
    value: { accessList: 'urn:altinn:access-list:skd:banker' },
  },
  scopesOnly: {
    summary: 'Resource without access lists (accessListMode Disabled): grant the scopes only',
    value: {},
  },
};

export const PAGE_EXAMPLES = {
  owner: {
    summary: "Owner's view (?role=owner&status=pending): requests for its resources",
    value: { links: { next: null }, data: [PENDING_EXAMPLE] },
  },
  consumer: {
    summary: "Consumer's view (?role=consumer): its own requests and their outcome",
    value: {
      links: {
        next: 'https://consentgw.example.no/api/v1/access-requests?role=consumer&continuationToken=eyJjIjoi…',
      },
      data: [APPROVED_EXAMPLE, REJECTED_EXAMPLE],
    },
  },
};
