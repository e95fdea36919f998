/**
 * Registration of protected APIs (DESIGN §4.9), owner-scoped (DESIGN §3): an owner sees and
 * changes its own APIs only; another owner's API answers 404 as if it did not exist. The
 * platform operator (`consentgw:admin`) may read every API.
 *
 * Every change goes through ChangeLogService.record in its transaction: its audit row and the
 * NOTIFY to the other replicas (delivered only if the change commits); this replica's route
 * table reloads the API before the call returns, so the next request through this replica
 * already sees it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Prisma, type ProtectedApi } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { ApiRouteTable } from './api-route-table.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  HEADER_NAME_PATTERN,
  QUERY_NAME_PATTERN,
  type ProtectedApiBodyDto,
  type ProtectedApiDto,
  type UsageRowDto,
} from './dto/protected-api.dto.js';
import { toProtectedApiDto } from './protected-api.mapper.js';
import { isReservedHeader } from './proxy-headers.js';
import { checkUpstreamUrl } from './upstream-url.js';
import { UsageRecorder } from './usage-recorder.js';

const API_CODES = {
  notFound: 'GW-00404',
  exists: 'GW-00409',
} as const;

const USAGE_MAX_ROWS = 10_000;
const USAGE_DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

function notFound(name: string): DomainError {
  return DomainError.notFound(API_CODES.notFound, `No protected API named "${name}" exists for this owner.`);
}

type ApiFields = Omit<Prisma.ProtectedApiUncheckedCreateInput, 'createdAt' | 'updatedAt'>;

@Injectable()
export class ProtectedApisService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: ChangeLogService,
    private readonly resources: ResourcesService,
    private readonly routes: ApiRouteTable,
    private readonly usageRecorder: UsageRecorder,
    private readonly bus: ChangeBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(principal: Principal): Promise<ProtectedApiDto[]> {
    const rows = await this.prisma.protectedApi.findMany({
      where: this.isOperatorReader(principal) ? {} : { ownerOrgNumber: principal.consumer },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => toProtectedApiDto(r, this.config.publicUrl));
  }

  async get(principal: Principal, name: string): Promise<ProtectedApiDto> {
    const row = await this.prisma.protectedApi.findUnique({ where: { name } });
    if (!row || (row.ownerOrgNumber !== principal.consumer && !this.isOperatorReader(principal)))
      throw notFound(name);
    return toProtectedApiDto(row, this.config.publicUrl);
  }

  async create(principal: Principal, body: ProtectedApiBodyDto): Promise<ProtectedApiDto> {
    if (body.name === undefined)
      throw DomainError.validation([{ code: 'STD.VLD-00000', title: 'name is required', paths: ['$.name'] }]);
    const fields = await this.validated(principal, body.name, body);
    let row: ProtectedApi;
    try {
      row = await this.prisma.$transaction(async (tx) => {
        const created = await tx.protectedApi.create({ data: fields });
        await this.changes.record(tx, {
          topic: 'api',
          id: created.name,
          audit: {
            actor: actorOf(principal),
            action: 'protected-api.create',
            objectType: 'protected-api',
            objectId: created.name,
            ownerOrg: created.ownerOrgNumber,
            after: toProtectedApiDto(created, this.config.publicUrl),
          },
        });
        return created;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002')
        throw DomainError.conflict(API_CODES.exists, `A protected API named "${body.name}" already exists.`);
      throw err;
    }
    await this.changed(row.name);
    return toProtectedApiDto(row, this.config.publicUrl);
  }

  async update(principal: Principal, name: string, body: ProtectedApiBodyDto): Promise<ProtectedApiDto> {
    if (body.name !== undefined && body.name !== name)
      throw DomainError.validation([
        { code: INVALID_VALUE, title: 'name in the body must equal the name in the path', paths: ['$.name'] },
      ]);
    await this.ownedOrNotFound(principal, name);
    const fields = await this.validated(principal, name, body);
    const row = await this.prisma.$transaction(async (tx) => {
      const before = await tx.protectedApi.findUnique({ where: { name } });
      if (!before || before.ownerOrgNumber !== principal.consumer) throw notFound(name);
      const updated = await tx.protectedApi.update({
        where: { name },
        data: { ...fields, updatedAt: new Date() },
      });
      await this.changes.record(tx, {
        topic: 'api',
        id: name,
        audit: {
          actor: actorOf(principal),
          action: 'protected-api.update',
          objectType: 'protected-api',
          objectId: name,
          ownerOrg: updated.ownerOrgNumber,
          before: toProtectedApiDto(before, this.config.publicUrl),
          after: toProtectedApiDto(updated, this.config.publicUrl),
        },
      });
      return updated;
    });
    await this.changed(name);
    return toProtectedApiDto(row, this.config.publicUrl);
  }

  async remove(principal: Principal, name: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.protectedApi.findUnique({ where: { name } });
      if (!before || before.ownerOrgNumber !== principal.consumer) throw notFound(name);
      await tx.protectedApi.delete({ where: { name } });
      await this.changes.record(tx, {
        topic: 'api',
        id: name,
        audit: {
          actor: actorOf(principal),
          action: 'protected-api.delete',
          objectType: 'protected-api',
          objectId: name,
          ownerOrg: before.ownerOrgNumber,
          before: toProtectedApiDto(before, this.config.publicUrl),
        },
      });
    });
    await this.changed(name);
  }

  /** Per-minute usage counters of one API (owner, or the operator). Flushes pending counts first. */
  async usage(principal: Principal, name: string, from?: string, to?: string): Promise<UsageRowDto[]> {
    await this.get(principal, name);
    const toDate = to ? new Date(to) : new Date();
    const fromDate = from ? new Date(from) : new Date(toDate.getTime() - USAGE_DEFAULT_WINDOW_MS);
    if (!(fromDate < toDate))
      throw DomainError.validation([
        { code: INVALID_VALUE, title: 'from must be before to', paths: ['$.from', '$.to'] },
      ]);
    await this.usageRecorder.flush();
    const rows = await this.usageRecorder.query(name, fromDate, toDate, USAGE_MAX_ROWS);
    return rows.map((r) => ({
      minute: r.bucket.toISOString(),
      consumer: r.consumerOrg,
      consentId: r.consentId,
      outcome: r.outcome,
      count: r.count,
    }));
  }

  // ───────────────────────── internals ─────────────────────────

  private isOperatorReader(principal: Principal): boolean {
    return principal.scopes.has(Scopes.admin);
  }

  private async ownedOrNotFound(principal: Principal, name: string): Promise<void> {
    const row = await this.prisma.protectedApi.findUnique({
      where: { name },
      select: { ownerOrgNumber: true },
    });
    if (!row || row.ownerOrgNumber !== principal.consumer) throw notFound(name);
  }

  /** Checks that need more than the DTO (URL rules, subject name, resource ownership); one 400 for all. */
  private async validated(principal: Principal, name: string, body: ProtectedApiBodyDto): Promise<ApiFields> {
    const problems: ValidationProblem[] = [];
    const url = checkUpstreamUrl(body.upstreamUrl, this.config.nodeEnv !== 'production');
    if (!url.ok) problems.push({ code: INVALID_VALUE, title: url.problem, paths: ['$.upstreamUrl'] });

    const subject = body.subject ?? null;
    if (subject) {
      const pattern = subject.in === 'header' ? HEADER_NAME_PATTERN : QUERY_NAME_PATTERN;
      if (!pattern.test(subject.name))
        problems.push({
          code: INVALID_VALUE,
          title: `subject.name is not a valid ${subject.in} name`,
          paths: ['$.subject.name'],
        });
      else if (subject.in === 'header' && isReservedHeader(subject.name))
        problems.push({
          code: INVALID_VALUE,
          title: 'subject.name is a header the gateway sets or removes',
          paths: ['$.subject.name'],
        });
    }

    const views = await Promise.all(body.consentResources.map((id) => this.resources.getConsentResource(id)));
    views.forEach((view, i) => {
      if (!view || view.ownerOrgNumber !== principal.consumer)
        problems.push({
          code: INVALID_VALUE,
          title: `consentResources[${i}] is not a consent resource of the caller`,
          paths: [`$.consentResources[${i}]`],
        });
    });
    if (problems.length || !url.ok) throw DomainError.validation(problems);

    const rl = body.rateLimit ?? null;
    return {
      name,
      ownerOrgNumber: principal.consumer,
      upstreamUrl: url.normalised,
      requiredScopes: body.requiredScopes,
      consentResources: body.consentResources,
      requiredAction: body.requiredAction ?? 'consent',
      consentSource: body.consentSource ?? 'local',
      audience: body.audience ?? null,
      subjectIn: subject?.in ?? null,
      subjectName: subject?.name ?? null,
      timeoutMs: body.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBodyBytes: BigInt(body.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      rateLimit:
        rl && (rl.perConsumer || rl.perConsent)
          ? {
              ...(rl.perConsumer && {
                perConsumer: { requests: rl.perConsumer.requests, perSeconds: rl.perConsumer.perSeconds },
              }),
              ...(rl.perConsent && {
                perConsent: { requests: rl.perConsent.requests, perSeconds: rl.perConsent.perSeconds },
              }),
            }
          : Prisma.DbNull,
    };
  }

  /** After commit: this replica's table first (the caller's next request sees it), then the process. */
  private async changed(name: string): Promise<void> {
    await this.routes.reload(name);
    this.bus.emitLocal('api', name);
  }
}
