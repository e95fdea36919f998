/**
 * The gateway's usage counters (`gateway_usage`): UsageRecorder writes its batches here and the
 * owner's usage view reads them. The write is raw SQL because it is one multi-row upsert that
 * adds to existing counts (`count = count + EXCLUDED.count`) for up to 1 000 rows per statement:
 * Prisma has no bulk upsert, and one `upsert` per counter would be a round-trip each.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

/** Adds counts, one row per element of the six arrays ($1 … $6, equal lengths). */
export const ADD_USAGE_SQL = `INSERT INTO gateway_usage (api_name, bucket, consumer_org, consent_id, outcome, count)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::bigint[])
  ON CONFLICT (api_name, bucket, consumer_org, consent_id, outcome)
  DO UPDATE SET count = gateway_usage.count + EXCLUDED.count`;

const ROWS_PER_STATEMENT = 1000;

/** One counter: calls in one minute to one API by one consumer under one consent, by outcome. */
export interface UsageCount {
  api: string;
  bucketMs: number;
  consumer: string;
  consent: string;
  outcome: string;
  count: number;
}

export interface UsageRow {
  api: string;
  bucket: Date;
  consumerOrg: string;
  consentId: string;
  outcome: string;
  count: number;
}

@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Adds the counts to the stored ones (a statement per 1 000 counters). */
  async add(rows: readonly UsageCount[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const part = rows.slice(i, i + ROWS_PER_STATEMENT);
      await this.prisma.$executeRawUnsafe(
        ADD_USAGE_SQL,
        part.map((r) => r.api),
        part.map((r) => new Date(r.bucketMs)),
        part.map((r) => r.consumer),
        part.map((r) => r.consent),
        part.map((r) => r.outcome),
        part.map((r) => r.count),
      );
    }
  }

  /** Usage of one API (owner view), newest minute first. */
  async query(api: string, from: Date, to: Date, limit: number): Promise<UsageRow[]> {
    const rows = await this.prisma.gatewayUsage.findMany({
      where: { apiName: api, bucket: { gte: from, lt: to } },
      orderBy: [{ bucket: 'desc' }, { consumerOrg: 'asc' }, { consentId: 'asc' }, { outcome: 'asc' }],
      take: limit,
    });
    return rows.map((r) => ({
      api: r.apiName,
      bucket: r.bucket,
      consumerOrg: r.consumerOrg,
      consentId: r.consentId,
      outcome: r.outcome,
      count: Number(r.count),
    }));
  }
}
