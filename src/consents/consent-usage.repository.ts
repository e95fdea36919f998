/**
 * Reads the gateway's usage counters (`gateway_usage`, written in batches by the gateway's
 * UsageRecorder, never per request) by consent id. The table is the gateway's; this side only
 * reads it, through the `(consent_id, bucket)` index, so a page never scans the whole log.
 */
import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentUsageEntry } from './consent-usage.record.js';

/** Outcomes that mean the call reached the API: `upstream_2xx` … `upstream_5xx`, `upstream_aborted`. */
const USE = Prisma.sql`outcome LIKE 'upstream\\_%'`;

interface HourRow {
  api: string;
  consumer: string;
  hour: Date;
  uses: bigint;
  refused: bigint;
  last_used: Date | null;
}

/** One day's calls under one consent, per API, consumer and outcome (the daily summary). */
export interface DayRow {
  consent_id: string;
  to_org: string;
  handled_by: string | null;
  api: string;
  consumer: string;
  outcome: string;
  calls: bigint;
  last_used: Date | null;
}

export interface TotalRow {
  consent_id: string;
  api: string;
  consumer: string;
  uses: bigint;
  last_used: Date | null;
}

@Injectable()
export class ConsentUsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One consent's log per API, consumer and hour, newest hour first, at most `limit` rows. */
  async hourly(consentId: string, limit: number): Promise<ConsentUsageEntry[]> {
    const rows = await this.prisma.$queryRaw<HourRow[]>`
      SELECT api_name AS api, consumer_org AS consumer, date_trunc('hour', bucket) AS hour,
             COALESCE(SUM(count) FILTER (WHERE ${USE}), 0)::bigint AS uses,
             COALESCE(SUM(count) FILTER (WHERE NOT ${USE}), 0)::bigint AS refused,
             MAX(bucket) FILTER (WHERE ${USE}) AS last_used
        FROM gateway_usage
       WHERE consent_id = ${consentId}
       GROUP BY 1, 2, 3
       ORDER BY 3 DESC, 1, 2
       LIMIT ${limit}`;
    return rows.map((r) => ({
      api: r.api,
      consumer: r.consumer,
      hour: r.hour,
      uses: Number(r.uses),
      refused: Number(r.refused),
      lastUsed: r.last_used,
    }));
  }

  /** Uses per consent, API and consumer for many consents at once (the person's list page). */
  async totals(consentIds: string[]): Promise<TotalRow[]> {
    if (!consentIds.length) return [];
    return this.prisma.$queryRaw<TotalRow[]>`
      SELECT consent_id, api_name AS api, consumer_org AS consumer,
             SUM(count)::bigint AS uses, MAX(bucket) AS last_used
        FROM gateway_usage
       WHERE consent_id = ANY(${consentIds}::text[]) AND ${USE}
       GROUP BY 1, 2, 3`;
  }

  /**
   * Every call recorded in [from, to) under a consent this service holds that is not one-time
   * (those have `consent.used`), per consent, API, consumer and outcome. Read through the
   * `bucket` index: one day's rows, once per day (usage_summary_days remembers the days done).
   */
  async day(from: Date, to: Date): Promise<DayRow[]> {
    return this.prisma.$queryRaw<DayRow[]>`
      SELECT u.consent_id, c.to_org, c.handled_by, u.api_name AS api, u.consumer_org AS consumer,
             u.outcome, SUM(u.count)::bigint AS calls, MAX(u.bucket) FILTER (WHERE ${USE}) AS last_used
        FROM gateway_usage u
        JOIN consent_requests c ON c.id::text = u.consent_id AND NOT c.is_one_time
       WHERE u.bucket >= ${from} AND u.bucket < ${to}
       GROUP BY 1, 2, 3, 4, 5, 6
       ORDER BY 1, 4, 5, 6`;
  }
}
