/**
 * Reading many requests: Altinn's events feed (GET /events) and the request list (beyond Altinn).
 * Both page with opaque continuation tokens and show only the caller's requests.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { pageLink } from '../common/paging/pages.js';
import { audienceOf, CONSENT_REQUESTS_PATH } from './consent-access.js';
import { ConsentEventsService } from './consent-events.service.js';
import { INVALID_VALUE, problem, validationError, type ConsentProblem } from './consent-problems.js';
import { parseParty } from './consent-party.parser.js';
import { toDetailsDto, toRecord } from './consent.mapper.js';
import { CONSENT_EVENT_TYPES } from './consent.record.js';
import { ConsentPageTokens } from './consent-page-tokens.js';
import type { ConsentDetailsPageDto, ConsentEventsPageDto } from './dto/consent-request.dto.js';
import { list, parseStatuses, parseTimeRange, readQuery, single } from './query-params.js';
import { isUuid } from '../common/identifiers/uuid.js';

const LIST_PAGE_SIZE = 100;

@Injectable()
export class ConsentListingService {
  private readonly pageTokens: ConsentPageTokens;

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: ConsentEventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: ContinuationTokens,
  ) {
    this.pageTokens = new ConsentPageTokens(tokens);
  }

  /**
   * GET /events (Altinn): the caller's consent events, oldest first, `consentEventsPageSize` (100)
   * per page. As in Altinn, `next` is set only on a full page and null on a shorter one (DESIGN
   * §11): a shorter page is the end of the feed for now, and a reader polls for more by fetching
   * that page's own URL again (its token still points before it, so nothing is skipped).
   */
  async eventsFeed(principal: Principal, query: unknown): Promise<ConsentEventsPageDto> {
    const problems: ConsentProblem[] = [];
    const q = readQuery(
      query,
      ['continuationToken', 'createdAfter', 'createdBefore', 'eventType', 'consentRequestId'],
      problems,
    );
    const token = single(q, 'continuationToken', problems);
    const afterSeq = this.pageTokens.decodeFeed(token, principal.consumer, problems) ?? 0n;
    const range = parseTimeRange(q, problems);
    const eventTypes = parseStatuses(list(q, 'eventType'), '/eventType', problems, CONSENT_EVENT_TYPES);
    const consentRequestId = single(q, 'consentRequestId', problems);
    if (consentRequestId !== undefined && !isUuid(consentRequestId))
      problems.push(
        problem(
          INVALID_VALUE,
          '/consentRequestId',
          "'consentRequestId' must be a UUID.",
          "'consentRequestId' must be a UUID.",
        ),
      );
    if (problems.length) throw validationError(problems);

    const pageSize = this.config.consentEventsPageSize;
    const rows = await this.events.feed(audienceOf(principal), {
      afterSeq,
      createdAfter: range.after,
      createdBefore: range.before,
      eventTypes,
      consentRequestId: consentRequestId?.toLowerCase(),
      limit: pageSize,
    });
    const last = rows.length === pageSize ? rows.at(-1) : undefined;
    const keep = (name: string) => q[name]?.join(',');
    return {
      links: {
        next: last
          ? pageLink(`${CONSENT_REQUESTS_PATH}/events`, {
              createdAfter: keep('createdAfter'),
              createdBefore: keep('createdBefore'),
              eventType: eventTypes?.join(','),
              consentRequestId: keep('consentRequestId'),
              continuationToken: this.pageTokens.encodeFeed(principal.consumer, last.seq),
            })
          : null,
      },
      data: rows.map((r) => ({
        consentRequestId: r.consentRequestId,
        eventType: r.eventType,
        changedDate: r.createdAt.toISOString(),
      })),
    };
  }

  /**
   * GET /consentrequests (beyond Altinn): the caller's requests, newest first, 100 per page,
   * filtered by effective status, resource, `from` and creation time.
   */
  async list(principal: Principal, query: unknown): Promise<ConsentDetailsPageDto> {
    const problems: ConsentProblem[] = [];
    const q = readQuery(
      query,
      ['status', 'resource', 'from', 'createdAfter', 'createdBefore', 'continuationToken'],
      problems,
    );
    const statuses = parseStatuses(list(q, 'status'), '/status', problems);
    const resource = single(q, 'resource', problems);
    const fromRaw = single(q, 'from', problems);
    let fromUrn: string | undefined;
    if (fromRaw !== undefined) {
      const parsed = parseParty(fromRaw, '/from', 'from');
      if ('problem' in parsed) problems.push(parsed.problem);
      else fromUrn = parsed.party.urn;
    }
    const range = parseTimeRange(q, problems);
    const token = single(q, 'continuationToken', problems);
    const position = this.pageTokens.decodeList(token, principal.consumer, problems);
    if (problems.length) throw validationError(problems);

    const now = new Date();
    const audience = audienceOf(principal);
    const and: Prisma.ConsentRequestWhereInput[] = [
      { OR: [{ toOrg: { in: audience.toOrgs } }, { handledBy: { in: audience.handledByOrgs } }] },
    ];
    if (statuses?.length)
      and.push({
        OR: statuses.map((s): Prisma.ConsentRequestWhereInput => {
          if (s === 'expired')
            return {
              OR: [{ status: 'expired' }, { status: { in: ['accepted', 'created'] }, validTo: { lte: now } }],
            };
          if (s === 'accepted' || s === 'created') return { status: s, validTo: { gt: now } };
          return { status: s };
        }),
      });
    if (resource) and.push({ resources: { has: resource } });
    if (fromUrn) and.push({ fromParty: fromUrn });
    if (range.after) and.push({ createdAt: { gt: range.after } });
    if (range.before) and.push({ createdAt: { lt: range.before } });
    if (position)
      and.push({
        OR: [
          { createdAt: { lt: position.createdAt } },
          { createdAt: position.createdAt, id: { lt: position.id } },
        ],
      });

    const rows = await this.prisma.consentRequest.findMany({
      where: { AND: and },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: LIST_PAGE_SIZE + 1,
    });
    const page = rows.slice(0, LIST_PAGE_SIZE);
    const history = await this.events.forRequests(page.map((r) => r.id));
    const last = page.at(-1);
    const keep = (name: string) => q[name]?.join(',');
    return {
      links: {
        next:
          rows.length > LIST_PAGE_SIZE && last
            ? pageLink(CONSENT_REQUESTS_PATH, {
                status: keep('status'),
                resource: keep('resource'),
                from: keep('from'),
                createdAfter: keep('createdAfter'),
                createdBefore: keep('createdBefore'),
                continuationToken: this.pageTokens.encodeList(principal.consumer, last),
              })
            : null,
      },
      data: page.map((r) => toDetailsDto(toRecord(r, now), history.get(r.id) ?? [], this.config.publicUrl)),
    };
  }
}
