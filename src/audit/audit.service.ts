import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

export interface AuditActor {
  org?: string | null;
  client?: string | null;
  person?: string | null;
}

export interface AuditRecord {
  actor: AuditActor;
  /** Verb in `<object>.<verb>` form, e.g. `resource.update`, `consent.accepted`. */
  action: string;
  objectType: string;
  objectId: string;
  /** Org number of the object's owner (lets an owner read its own trail). */
  ownerOrg?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Who acted: the organisation and client of the token and, for a token the built-in issuer gave
 * a person through the admin login (`pid` claim), that person. A `pid` from another issuer is
 * not recorded: only our own issuer vouches for the person behind its tokens.
 */
export function actorOf(principal: Principal): AuditActor {
  const pid = principal.builtIn ? principal.claims.pid : undefined;
  return {
    org: principal.consumer,
    client: principal.clientId ?? null,
    person: typeof pid === 'string' && /^[0-9]{11}$/.test(pid) ? pid : null,
  };
}

function json(v: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (v === undefined || v === null) return Prisma.DbNull;
  // Dates, BigInts and class instances become plain JSON.
  return JSON.parse(
    JSON.stringify(v, (_k, val: unknown) => (typeof val === 'bigint' ? val.toString() : val)),
  ) as Prisma.InputJsonValue;
}

/**
 * The audit trail (DESIGN §4.12). `record` takes the caller's transaction client so the audit
 * row commits (or rolls back) together with the change it describes.
 */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  async record(tx: PrismaTx, entry: AuditRecord): Promise<void> {
    await tx.auditEntry.create({
      data: {
        actorOrg: entry.actor.org ?? null,
        actorClient: entry.actor.client ?? null,
        actorPerson: entry.actor.person ?? null,
        action: entry.action,
        objectType: entry.objectType,
        objectId: entry.objectId,
        ownerOrg: entry.ownerOrg ?? null,
        before: json(entry.before),
        after: json(entry.after),
      },
    });
  }

  /** Convenience for callers without a transaction of their own. */
  async recordNow(entry: AuditRecord): Promise<void> {
    await this.record(this.prisma, entry);
  }

  /**
   * Which client did `action` on each of these objects (e.g. which client created each consent
   * request), from the trail; objects without a client actor are absent. One query.
   */
  async clientsThatDid(
    action: string,
    objectType: string,
    objectIds: string[],
  ): Promise<Map<string, string>> {
    if (!objectIds.length) return new Map();
    const rows = await this.prisma.auditEntry.findMany({
      where: { objectType, objectId: { in: objectIds }, action, actorClient: { not: null } },
      select: { objectId: true, actorClient: true },
      orderBy: { id: 'asc' },
    });
    return new Map(rows.map((r) => [r.objectId, r.actorClient!]));
  }
}
