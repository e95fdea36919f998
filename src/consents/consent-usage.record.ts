/**
 * A consent's usage log as other contexts see it (issue 21): what the gateway recorded at the
 * edge, per API, consumer and hour. A "use" is a call the gateway let through to the API under
 * the consent (outcome `upstream_*`); refusals are counted apart, so the log shows attempts too.
 */
export interface ConsentUsageEntry {
  api: string;
  /** Org number of the caller. */
  consumer: string;
  /** Start of the hour. */
  hour: Date;
  /** Calls forwarded to the API. */
  uses: number;
  /** Calls the gateway refused under this consent (e.g. after it was withdrawn). */
  refused: number;
  /** Start of the last minute with a use in this hour (the log counts per minute), or null. */
  lastUsed: Date | null;
}

export interface ConsentUsageSummary {
  consentId: string;
  uses: number;
  lastUsed: Date | null;
  /** Per API and consumer, most used first: who used the consent against what. */
  byApi: { api: string; consumer: string; uses: number; lastUsed: Date | null }[];
}

/** One line of a daily usage summary (the `usage_summary` event's `calls`). */
export interface DailyCalls {
  api: string;
  /** Org number of the caller. */
  consumer: string;
  /** `upstream_2xx` … `upstream_5xx`, `upstream_aborted` (the call reached the API), or the gateway's refusal code. */
  outcome: string;
  calls: number;
}
