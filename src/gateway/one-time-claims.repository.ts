/**
 * One-time consents across replicas (DESIGN §4.7, §4.9): before a call under a one-time consent
 * is forwarded, the gateway claims the consent in the database. Only one claim per consent can
 * exist, so two concurrent calls — on one replica or on two — cannot both reach the upstream;
 * the loser gets 401. The winner marks the consent `used` (ConsentsService.markUsed, atomic) on
 * the first successful answer and deletes its claim; on failure it deletes the claim so the
 * consent stays usable. A claim of a replica that died mid-call expires after the API timeout.
 *
 * Raw SQL because the claim is a conditional upsert (take the row only when the holder's claim
 * expired) whose RETURNING tells the winner: Prisma's `upsert` has no WHERE on the update.
 */
import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

/** Added to the API timeout: a claim outlives the call it protects. */
const CLAIM_MARGIN_MS = 30_000;

/** Claims consent `$1` with token `$2` until `$3`, unless an unexpired claim holds it. */
export const CLAIM_SQL = `INSERT INTO gateway_one_time_claims (consent_id, claim_token, expires_at)
  VALUES ($1::text, $2::text, $3::timestamptz)
  ON CONFLICT (consent_id) DO UPDATE
    SET claim_token = EXCLUDED.claim_token, expires_at = EXCLUDED.expires_at, created_at = CURRENT_TIMESTAMP
    WHERE gateway_one_time_claims.expires_at < CURRENT_TIMESTAMP
  RETURNING claim_token`;

/** Expired claims (a replica died mid-call), judged by the database's clock like CLAIM_SQL. */
export const SWEEP_SQL = `DELETE FROM gateway_one_time_claims WHERE expires_at < CURRENT_TIMESTAMP`;

@Injectable()
export class OneTimeClaimsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A claim token when this call may use the consent, null when another call holds it. */
  async claim(consentId: string, timeoutMs: number): Promise<string | null> {
    const token = randomBytes(16).toString('hex');
    const expiresAt = new Date(Date.now() + timeoutMs + CLAIM_MARGIN_MS);
    const rows = await this.prisma.$queryRawUnsafe<Array<{ claim_token: string }>>(
      CLAIM_SQL,
      consentId,
      token,
      expiresAt,
    );
    return rows[0]?.claim_token === token ? token : null;
  }

  /** Ends a claim (best effort: an unreleased claim simply expires). */
  async release(consentId: string, token: string): Promise<void> {
    await this.prisma.gatewayOneTimeClaim.deleteMany({ where: { consentId, claimToken: token } });
  }

  /** Drops claims that expired (a replica died mid-call). */
  async sweep(): Promise<number> {
    return this.prisma.$executeRawUnsafe(SWEEP_SQL);
  }
}
