/**
 * The write of a new consent request: ONE statement, so one implicit transaction and one round
 * trip on the hot path of consent creation (DESIGN §7). It inserts the request
 * `ON CONFLICT (id) DO NOTHING` and — only when that inserted — its audit row (the columns
 * AuditService.record writes) and its `created` event. Nothing is written for an existing id;
 * PostgreSQL first waits for a concurrent insert of the same id to commit, so the caller can then
 * read it.
 *
 * No NOTIFY here: the event row is the change's outbox, and ConsentFeedSequencer publishes it when
 * it numbers it (a NOTIFY per create serialised every create's commit on PostgreSQL's notify lock;
 * that was the p99 tail, see docs/architecture.md).
 *
 * On PostgreSQL the statement runs on the app's SqlPool as a named prepared statement (why: see
 * SqlPool). Embedded PGlite goes through Prisma with the same SQL text.
 */
import { Injectable } from '@nestjs/common';
import type { ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { SqlPool } from '../prisma/sql-pool.js';

const STATEMENT_NAME = 'consentgw_consent_create_v3';

export interface ConsentCreateExtras {
  eventId: string;
  performedBy: string;
  actor: { org: string; client: string | null };
  auditAfter: unknown;
}

/** Parameters are numbered as in `consentCreateValues`; $4/$5/$18 are used twice on purpose. */
export const CONSENT_CREATE_SQL = `WITH req AS (
  INSERT INTO consent_requests (id, from_party, required_delegator, to_org, handled_by, valid_to, consent_rights,
    resources, resource_versions, template_id, template_version, is_one_time, request_message, redirect_url,
    portal_view_mode, owner_org, status, created_at, updated_at, partial_acceptance)
  VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, $7::jsonb,
    $8::text[], $9::jsonb, $10::text, $11::int, $12::boolean, $13::jsonb, $14::text,
    $15::text, $16::text, $17::text, $18::timestamptz, $19::timestamptz, $25::jsonb)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, owner_org),
audited AS (
  INSERT INTO audit_log (actor_org, actor_client, actor_person, action, object_type, object_id, owner_org, before, after)
  SELECT $20::text, $21::text, NULL, 'consent.created', 'consent', req.id::text, req.owner_org, NULL, $22::jsonb
  FROM req),
evented AS (
  INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
  SELECT $23::uuid, req.id, 'created', $18::timestamptz, $24::text, $4::text, $5::text
  FROM req)
SELECT 1 FROM req`;

/** The bound values of CONSENT_CREATE_SQL (JSON as text, times as ISO strings). */
export function consentCreateValues(r: ConsentRequestRow, o: ConsentCreateExtras): unknown[] {
  return [
    r.id,
    r.fromParty,
    r.requiredDelegator,
    r.toOrg,
    r.handledBy,
    r.validTo.toISOString(),
    JSON.stringify(r.consentRights),
    r.resources,
    JSON.stringify(r.resourceVersions),
    r.templateId,
    r.templateVersion,
    r.isOneTime,
    r.requestMessage === null ? null : JSON.stringify(r.requestMessage),
    r.redirectUrl,
    r.portalViewMode,
    r.ownerOrg,
    r.status,
    r.createdAt.toISOString(),
    r.updatedAt.toISOString(),
    o.actor.org,
    o.actor.client,
    JSON.stringify(o.auditAfter),
    o.eventId,
    o.performedBy,
    r.partialAcceptance === null ? null : JSON.stringify(r.partialAcceptance),
  ];
}

@Injectable()
export class ConsentCreateRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
  ) {}

  /** Inserts the request with its audit row and event; false when the id already existed. */
  async insert(row: ConsentRequestRow, extras: ConsentCreateExtras): Promise<boolean> {
    const values = consentCreateValues(row, extras);
    if (!this.sql.available)
      return (await this.prisma.$executeRawUnsafe(CONSENT_CREATE_SQL, ...values)) === 1;
    return (await this.sql.prepared(STATEMENT_NAME, CONSENT_CREATE_SQL, values)).rowCount === 1;
  }
}
