/**
 * The life of an access request: `pending` → `approved` | `rejected` | `withdrawn`. The three
 * end states are final; only a pending request changes, so every transition is a compare-and-set
 * on `status = 'pending'` under a row lock (see AccessRequestsService).
 */
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type AccessRequestStatus = (typeof ACCESS_REQUEST_STATUSES)[number];

/** The decision each route makes, and the end state it leads to. */
export const TRANSITIONS = {
  approve: 'approved',
  reject: 'rejected',
  withdraw: 'withdrawn',
} as const satisfies Record<string, Exclude<AccessRequestStatus, 'pending'>>;

export type AccessRequestDecision = keyof typeof TRANSITIONS;
