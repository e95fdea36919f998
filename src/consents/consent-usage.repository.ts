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
}
