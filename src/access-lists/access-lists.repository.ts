/**
 * The queries of this context that need SQL Prisma cannot express (row locks, conditional
 * version bumps, insert-if-absent), kept in one place with single-purpose names.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';

export interface AccessListRow {
  id: string;
  owner: string;
  identifier: string;
  name: string;
  description: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConnectionRow {
  resourceIdentifier: string;
  actionFilters: string[] | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberRow {
  orgNumber: string;
  since: Date;
}

type Db = PrismaService | PrismaTx;

const LIST_COLUMNS = `id::text AS id, owner, identifier, name, description, version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

@Injectable()
export class AccessListsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findByOwnerAndIdentifier(
    owner: string,
    identifier: string,
    db: Db = this.prisma,
  ): Promise<AccessListRow | null> {
    const rows = await db.$queryRawUnsafe<AccessListRow[]>(
      `SELECT ${LIST_COLUMNS} FROM access_lists WHERE owner = $1 AND identifier = $2`,
      owner,
      identifier,
    );
    return rows[0] ?? null;
  }

  /**
   * The list row, locked until the transaction ends: every writer of a list goes through here,
   * so writers of one list are serialised and each sees the version the previous one committed.
   */
  async lockByOwnerAndIdentifier(
    tx: PrismaTx,
    owner: string,
    identifier: string,
  ): Promise<AccessListRow | null> {
    const rows = await tx.$queryRawUnsafe<AccessListRow[]>(
      `SELECT ${LIST_COLUMNS} FROM access_lists WHERE owner = $1 AND identifier = $2 FOR UPDATE`,
      owner,
      identifier,
    );
    return rows[0] ?? null;
  }

  /** Creates the list unless one exists (a concurrent creator wins; then null). */
  async insertIfAbsent(
    tx: PrismaTx,
    owner: string,
    identifier: string,
    name: string,
    description: string,
  ): Promise<AccessListRow | null> {
    const rows = await tx.$queryRawUnsafe<AccessListRow[]>(
      `INSERT INTO access_lists (id, owner, identifier, name, description, version, created_at, updated_at)
       VALUES ($1::uuid, $2, $3, $4, $5, 1, clock_timestamp(), clock_timestamp())
       ON CONFLICT (owner, identifier) DO NOTHING
       RETURNING ${LIST_COLUMNS}`,
      randomUUID(),
      owner,
      identifier,
      name,
      description,
    );
    return rows[0] ?? null;
  }

  /**
   * Compare-and-set of the version (optionally with new name/description): succeeds only when
   * the row still has `expectedVersion`, so two writers holding the same ETag cannot both win
   * even without the row lock. `clock_timestamp()` (not the transaction start) keeps
   * `updated_at` moving forward when writers queued behind the lock.
   */
  async bumpVersion(
    tx: PrismaTx,
    id: string,
    expectedVersion: number,
    patch?: { name: string; description: string },
  ): Promise<{ version: number; updatedAt: Date } | null> {
    const rows = patch
      ? await tx.$queryRawUnsafe<Array<{ version: number; updatedAt: Date }>>(
          `UPDATE access_lists SET version = version + 1, updated_at = clock_timestamp(), name = $3, description = $4
           WHERE id = $1::uuid AND version = $2 RETURNING version, updated_at AS "updatedAt"`,
          id,
          expectedVersion,
          patch.name,
          patch.description,
        )
      : await tx.$queryRawUnsafe<Array<{ version: number; updatedAt: Date }>>(
          `UPDATE access_lists SET version = version + 1, updated_at = clock_timestamp()
           WHERE id = $1::uuid AND version = $2 RETURNING version, updated_at AS "updatedAt"`,
          id,
          expectedVersion,
        );
    return rows[0] ?? null;
  }

  /** Adds the members that are not there yet (one statement); returns the org numbers added, in order. */
  async insertMembers(tx: PrismaTx, listId: string, orgNumbers: string[]): Promise<string[]> {
    if (orgNumbers.length === 0) return [];
    const rows = await tx.$queryRawUnsafe<Array<{ orgNumber: string }>>(
      `INSERT INTO access_list_members (list_id, org_number, since)
       SELECT $1::uuid, n, clock_timestamp() FROM unnest($2::text[]) AS n
       ON CONFLICT (list_id, org_number) DO NOTHING
       RETURNING org_number AS "orgNumber"`,
      listId,
      orgNumbers,
    );
    const added = new Set(rows.map((r) => r.orgNumber));
    return orgNumbers.filter((n) => added.has(n));
  }

  /** Removes those of the org numbers that are members (one statement); returns the ones removed, in order. */
  async deleteMembers(tx: PrismaTx, listId: string, orgNumbers: string[]): Promise<string[]> {
    if (orgNumbers.length === 0) return [];
    const rows = await tx.$queryRawUnsafe<Array<{ orgNumber: string }>>(
      `DELETE FROM access_list_members WHERE list_id = $1::uuid AND org_number = ANY ($2::text[])
       RETURNING org_number AS "orgNumber"`,
      listId,
      orgNumbers,
    );
    const removed = new Set(rows.map((r) => r.orgNumber));
    return orgNumbers.filter((n) => removed.has(n));
  }

  /** One page of an owner's lists by identifier; `connectionsOf` adds their connections (optionally to one resource). */
  async pageByOwner(
    owner: string,
    after: string | undefined,
    take: number,
    connectionsOf?: { resource?: string },
  ): Promise<Array<AccessListRow & { connections?: ConnectionRow[] }>> {
    const where = { owner, ...(after !== undefined ? { identifier: { gt: after } } : {}) };
    if (!connectionsOf)
      return this.prisma.accessList.findMany({ where, orderBy: { identifier: 'asc' }, take });
    return this.prisma.accessList.findMany({
      where,
      orderBy: { identifier: 'asc' },
      take,
      include: {
        connections: {
          where: connectionsOf.resource !== undefined ? { resourceIdentifier: connectionsOf.resource } : {},
          orderBy: { resourceIdentifier: 'asc' },
        },
      },
    });
  }

  connectionsOf(
    listId: string,
    resource: string | undefined,
    db: Db = this.prisma,
  ): Promise<ConnectionRow[]> {
    return db.accessListConnection.findMany({
      where: { listId, ...(resource !== undefined ? { resourceIdentifier: resource } : {}) },
      orderBy: { resourceIdentifier: 'asc' },
    });
  }

  /** Members after `after` in org-number order (the primary key), `take` of them (raw: the hot read). */
  membersPage(db: Db, listId: string, after: string | undefined, take: number): Promise<MemberRow[]> {
    return db.$queryRawUnsafe<MemberRow[]>(
      `SELECT org_number AS "orgNumber", since FROM access_list_members
       WHERE list_id = $1::uuid AND org_number > $2 ORDER BY org_number LIMIT $3`,
      listId,
      after ?? '',
      take,
    );
  }

  /**
   * The list version and its first members in one statement (one snapshot), or null when the
   * list is gone.
   */
  async firstMembersPageWithVersion(
    listId: string,
    take: number,
  ): Promise<{ state: { version: number; updatedAt: Date }; rows: MemberRow[] } | null> {
    const rows = await this.prisma.$queryRawUnsafe<
      Array<{ version: number; updatedAt: Date; orgNumber: string | null; since: Date | null }>
    >(
      `SELECT l.version, l.updated_at AS "updatedAt", m.org_number AS "orgNumber", m.since
       FROM access_lists l
       LEFT JOIN LATERAL (
         SELECT org_number, since FROM access_list_members WHERE list_id = l.id ORDER BY org_number LIMIT $2
       ) m ON true
       WHERE l.id = $1::uuid
       ORDER BY m.org_number`,
      listId,
      take,
    );
    if (rows.length === 0) return null;
    return {
      state: { version: rows[0].version, updatedAt: rows[0].updatedAt },
      rows: rows.flatMap((r) =>
        r.orgNumber !== null && r.since !== null ? [{ orgNumber: r.orgNumber, since: r.since }] : [],
      ),
    };
  }

  connectionsPage(db: Db, listId: string, after: string | undefined, take: number): Promise<ConnectionRow[]> {
    return db.accessListConnection.findMany({
      where: { listId, ...(after !== undefined ? { resourceIdentifier: { gt: after } } : {}) },
      orderBy: { resourceIdentifier: 'asc' },
      take,
    });
  }
}

/**
 * The membership query of `AccessListCheckService` (exported so the bench EXPLAINs exactly what
 * runs; raw because it is the measured hot path: one EXISTS in one round trip). Every step is an index
 * lookup: connections by resource, the member by its primary key `(list_id, org_number)`, the
 * list, its owner and the resource by primary key.
 */
export function accessCheckQuery(
  orgNumber: string,
  resourceIdentifier: string,
  action: string,
): { text: string; values: string[] } {
  return {
    text: `SELECT EXISTS (
        SELECT 1
        FROM access_list_connections c
        JOIN access_list_members m ON m.list_id = c.list_id AND m.org_number = $1
        JOIN access_lists l ON l.id = c.list_id
        JOIN owners o ON o.orgcode = l.owner
        JOIN resources r ON r.identifier = c.resource_identifier
        WHERE c.resource_identifier = $2
          AND r.deleted_at IS NULL
          AND r.owner_org_number = o.org_number
          AND (c.action_filters IS NULL OR cardinality(c.action_filters) = 0 OR $3 = ANY (c.action_filters))
      ) AS allowed`,
    values: [orgNumber, resourceIdentifier, action],
  };
}

/** Whether the organisation may perform the action on the resource by an access list. */
export async function isAllowedInDatabase(
  db: Db,
  orgNumber: string,
  resourceIdentifier: string,
  action: string,
): Promise<boolean> {
  const q = accessCheckQuery(orgNumber, resourceIdentifier, action);
  const rows = await db.$queryRawUnsafe<Array<{ allowed: boolean }>>(q.text, ...q.values);
  return rows[0]?.allowed === true;
}
