/**
 * The shared store of calls per consent per UTC day (`gateway_daily_calls`), written by every
 * replica's DailyCallCounter in batches. Days are numbers of days since 1970-01-01 (UTC) here
 * and a `date` in the table.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

export interface DayKey {
  consent: string;
  day: number;
}

export interface DayDelta extends DayKey {
  /** Calls to add (0: only read the total). */
  delta: number;
}

/** The total of consent `$1` on day `$2`. */
export const TOTAL_SQL = `SELECT calls FROM gateway_daily_calls
  WHERE consent_id = $1::text AND day = DATE '1970-01-01' + $2::int`;

/**
 * Adds deltas `$3` to consents `$1` on days `$2` (arrays of equal length) and returns the totals
 * of every key given: the upsert's RETURNING for the keys it added to, a read for the others
 * (delta 0, nothing written).
 */
export const ADD_AND_READ_SQL = `WITH input AS (
    SELECT i.consent_id, DATE '1970-01-01' + i.day AS day, i.delta
    FROM unnest($1::text[], $2::int[], $3::bigint[]) AS i(consent_id, day, delta)
  ), added AS (
    INSERT INTO gateway_daily_calls AS g (consent_id, day, calls)
    SELECT consent_id, day, delta FROM input WHERE delta > 0
    ON CONFLICT (consent_id, day) DO UPDATE SET calls = g.calls + EXCLUDED.calls
    RETURNING g.consent_id, g.day, g.calls
  )
  SELECT consent_id, (day - DATE '1970-01-01')::int AS day, calls FROM added
  UNION ALL
  SELECT g.consent_id, (g.day - DATE '1970-01-01')::int, g.calls
  FROM gateway_daily_calls g JOIN input i ON i.consent_id = g.consent_id AND i.day = g.day
  WHERE i.delta = 0`;

/** Forgets days before day `$1` (only today's counts are enforced). */
export const PRUNE_SQL = `DELETE FROM gateway_daily_calls WHERE day < DATE '1970-01-01' + $1::int`;

export const dayKey = (consent: string, day: number): string => `${consent}\u0000${day}`;

@Injectable()
export class DailyCallsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The total of one consent on one day (0 when none was counted). */
  async total(consent: string, day: number): Promise<number> {
    const rows = await this.prisma.$queryRawUnsafe<{ calls: bigint }[]>(TOTAL_SQL, consent, day);
    return rows.length ? Number(rows[0].calls) : 0;
  }

  /**
   * Adds the deltas and returns the totals (every replica's calls) of every key given, in one
   * statement: the upsert's RETURNING gives the totals of the keys it added to, a read those of
   * the others (delta 0, nothing written).
   */
  async addAndRead(rows: DayDelta[]): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const found = await this.prisma.$queryRawUnsafe<{ consent_id: string; day: number; calls: bigint }[]>(
      ADD_AND_READ_SQL,
      rows.map((r) => r.consent),
      rows.map((r) => r.day),
      rows.map((r) => r.delta),
    );
    return new Map(found.map((r) => [dayKey(r.consent_id, Number(r.day)), Number(r.calls)]));
  }

  /** Forgets days before `day` (only today's counts are enforced). */
  async pruneBefore(day: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(PRUNE_SQL, day);
  }
}
