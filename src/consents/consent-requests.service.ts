/**
 * The consumer's consent requests (DESIGN §4.6): create with Altinn's validation, read one,
 * cancel. Listing and the events feed are in ConsentListingService, the issuer lookup in
 * ConsentLookupService.
 */
import { ConsentMetrics } from './consent-metrics.js';
import { Inject, Injectable } from '@nestjs/common';
import { AccessListsService } from '../access-lists/access-lists.service.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Prisma, type ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import type { ConsentTemplateView } from '../resources/consent-template.view.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { TemplatesService } from '../resources/templates.service.js';
import { ConsentCreateRepository } from './consent-create.repository.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { policyProblems } from './consent-policy.check.js';
import {
  ConsentCodes,
  notAuthorized,
  problem,
  validationError,
  type ConsentProblem,
} from './consent-problems.js';
import { orderProblems, parseConsentRequestBody } from './consent-request.parser.js';
import { RESOURCE_ATTRIBUTE_TYPE, type ParsedRight } from './consent-rights.parser.js';
import type { ConsentRight } from './consent.record.js';
import { toDetailsDto, toRecord } from './consent.mapper.js';
import { ConsentsService } from './consents.service.js';
import type { ConsentDetailsDto } from './dto/consent-request.dto.js';
import { uuidv7 } from '../common/identifiers/uuid.js';

export const REQUEST_CONSENT_ACTION = 'requestconsent';

/**
 * Who handles a new request for `toOrg` (Altinn's enterprise controller): a caller creating for
 * another organisation needs `altinn:consentrequests.org` (403 AM-00000 otherwise, before anything
 * is stored) and becomes `handledBy` itself, so it can read and follow the request it made;
 * otherwise the supplier named in the token, if any, handles it for the caller.
 */
export function handledByFor(principal: Principal, toOrg: string | undefined): string | null {
  if (toOrg && toOrg !== principal.consumer) {
    if (!principal.scopes.has(Scopes.consentRequestsOrg))
      throw notAuthorized(
        `'to' must be the caller's organisation (${principal.consumer}); requesting for another organisation needs ${Scopes.consentRequestsOrg}.`,
      );
    return principal.consumer;
  }
  return principal.supplier && principal.supplier !== toOrg ? principal.supplier : null;
}
const TEMPLATE_TTL_MS = 60_000;
const TEMPLATE_ENTRIES = 1000;

export interface CreateResult {
  dto: ConsentDetailsDto;
  /** False when an identical earlier request was replayed (200 instead of 201). */
  created: boolean;
}

@Injectable()
export class ConsentRequestsService {
  /**
   * The latest version of each template, remembered for TEMPLATE_TTL_MS: templates change only
   * when a new version is seeded at startup, and a request records the version it was created
   * under. Concurrent misses (a burst at start or at expiry) share one query; "no such template"
   * is not remembered.
   */
  private readonly latestTemplates = new InvalidatedCache<string, ConsentTemplateView | null>({
    name: 'template',
    maxEntries: TEMPLATE_ENTRIES,
    ttlMs: TEMPLATE_TTL_MS,
    keep: (view) => view !== null,
    load: (id) => this.templates.getTemplate(id),
  });

  constructor(
    private readonly prisma: PrismaService,
    private readonly consents: ConsentsService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly writer: ConsentCreateRepository,
    private readonly resources: ResourcesService,
    private readonly policies: ResourcePoliciesService,
    private readonly templates: TemplatesService,
    private readonly accessLists: AccessListsService,
    private readonly changes: ChangeBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ConsentMetrics,
  ) {}

  /**
   * POST /consentrequests. Order (Altinn's): the body's fields and parties; `to` must be the
   * caller (403 AM-00000) unless `.org`; resources, metadata and template; one 400 with every
   * problem; the access list for `to` and a `.org` caller handling it (403 AM-00000); then insert — or, for an id that exists, 200 with
   * the stored request when the parties match and AM-00016 when they do not.
   */
  async create(principal: Principal, body: unknown): Promise<CreateResult> {
    const now = new Date();
    const { value, problems } = parseConsentRequestBody(body, now);

    const handledBy = handledByFor(principal, value.toOrg);

    const checked = await this.checkRights(value.rights, problems);
    const template = checked.templateId ? await this.latestTemplates.get(checked.templateId) : null;
    if (checked.templateId && !template)
      problems.push(
        problem(
          ConsentCodes.invalidResource,
          '/consentRights/0/resource/0/value',
          `The resource uses consent template '${checked.templateId}', which does not exist.`,
        ),
      );
    problems.push(...policyProblems(value, await this.policies.policiesOf(checked.views.keys()), now));
    if (problems.length) throw validationError(orderProblems(problems));

    // Everything below is known valid (no problems were found).
    const id = value.id!;
    const from = value.from!;
    const toOrg = value.toOrg!;
    const views = [...checked.views.values()];
    // `to` is checked, and so is a `.org` caller that will handle the consent for `to`: that
    // caller is the consumer the gateway later checks against the same list (GW-00008), so a
    // request it could never use is refused here, before the person is asked. A Maskinporten
    // supplier is not checked: its gateway calls carry `to` as the consumer.
    const askers = principal.consumer === toOrg ? [toOrg] : [toOrg, principal.consumer];
    for (const view of views) {
      if (view.accessListMode !== 'Enabled') continue;
      for (const org of askers)
        if (!(await this.accessLists.isAllowed(org, view.identifier, REQUEST_CONSENT_ACTION)))
          throw notAuthorized(
            `Organisation ${org} may not request consent for resource '${view.identifier}': it is not on an access list of the resource that allows '${REQUEST_CONSENT_ACTION}'.`,
          );
    }

    const performedBy = orgUrn(principal.consumer);
    const resourceVersions = Object.fromEntries(views.map((v) => [v.identifier, v.versionId]));
    const firstView = checked.views.get(value.rights[0].resource!)!;

    const row: ConsentRequestRow = {
      id,
      fromParty: from.urn,
      requiredDelegator: value.requiredDelegator,
      toOrg,
      handledBy,
      validTo: value.validTo!,
      consentRights: checked.rights as unknown as Prisma.JsonValue,
      resources: views.map((v) => v.identifier),
      resourceVersions,
      templateId: template!.id,
      templateVersion: template!.version,
      isOneTime: views.some((v) => v.isOneTimeConsent),
      requestMessage: value.requestMessage,
      redirectUrl: value.redirectUrl!,
      portalViewMode: value.portalViewMode,
      partialAcceptance: value.partial ? { required: value.partial.required } : null,
      ownerOrg: firstView.ownerOrgNumber,
      status: 'created',
      consented: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const eventId = uuidv7(now.getTime());
    const created = await this.writer.insert(row, {
      eventId,
      performedBy,
      actor: { org: principal.consumer, client: principal.clientId ?? null },
      auditAfter: {
        from: row.fromParty,
        to: toOrg,
        handledBy,
        validTo: row.validTo,
        resources: row.resources,
        resourceVersions,
      },
    });
    let outcome: { row: ConsentRequestRow; created: boolean };
    if (created) outcome = { row, created: true };
    else {
      // The id exists (ON CONFLICT waited for a concurrent insert of it to commit first).
      // The parties include who handles it: another `.org` caller replaying a body it has seen
      // (the id is in the viewUri) must not read the request's live state (red team).
      const existing = await this.prisma.consentRequest.findUnique({ where: { id } });
      if (
        !existing ||
        existing.fromParty !== from.urn ||
        existing.toOrg !== toOrg ||
        existing.handledBy !== handledBy
      )
        throw validationError([
          problem(
            ConsentCodes.idExists,
            '/id',
            `A consent request with id '${id}' already exists for other parties.`,
          ),
        ]);
      outcome = { row: existing, created: false };
    }

    if (outcome.created) {
      // The create is one statement: committed once the insert answered.
      this.metrics.count('created');
      this.changes.emitLocal('consent', id);
      await this.sequencer.afterCommit();
    }
    const record = toRecord(outcome.row);
    // A new request's history is the one event just written; a replay reads the stored one.
    const history = outcome.created
      ? [
          {
            id: eventId,
            seq: 0n,
            consentRequestId: id,
            eventType: 'created' as const,
            createdAt: now,
            performedBy,
            reason: null,
          },
        ]
      : ((await this.events.forRequests([id])).get(id) ?? []);
    return { dto: toDetailsDto(record, history, this.config.publicUrl), created: outcome.created };
  }

  /**
   * Resource checks per right, in order: exists and is a consent resource (AM-00005), one
   * template across rights (AM-00009), metadata keys known (AM-00006) with values (AM-00007)
   * and required keys present (AM-00008). Returns the rights as stored: metadata keys spelt as
   * the resource declares them.
   */
  private async checkRights(
    rights: ParsedRight[],
    problems: ConsentProblem[],
  ): Promise<{
    views: Map<string, Readonly<ConsentResourceView>>;
    rights: ConsentRight[];
    templateId?: string;
  }> {
    const identifiers = [...new Set(rights.map((r) => r.resource).filter((r): r is string => !!r))];
    const found = await Promise.all(identifiers.map((i) => this.resources.getConsentResourceReadOnly(i)));
    const views = new Map<string, Readonly<ConsentResourceView>>();
    identifiers.forEach((i, n) => {
      const view = found[n];
      if (view) views.set(i, view);
    });
    let templateId: string | undefined;
    let templateFrom: string | undefined;
    const out: ConsentRight[] = [];
    for (const right of rights) {
      if (!right.resource) continue;
      const path = `/consentRights/${right.index}`;
      const view = views.get(right.resource);
      if (!view) {
        problems.push(
          problem(
            ConsentCodes.invalidResource,
            `${path}/resource/0/value`,
            `Resource '${right.resource}' does not exist or is not a consent resource`,
          ),
        );
        continue;
      }
      if (templateId === undefined) {
        templateId = view.consentTemplate;
        templateFrom = view.identifier;
      } else if (templateId.toLowerCase() !== view.consentTemplate.toLowerCase())
        problems.push(
          problem(
            ConsentCodes.resourceCombination,
            `${path}/resource/0/value`,
            `Resource '${view.identifier}' uses consent template '${view.consentTemplate}' but '${templateFrom}' uses '${templateId}'; one request uses one template.`,
          ),
        );

      const declared = new Map(Object.keys(view.consentMetadata ?? {}).map((k) => [k.toLowerCase(), k]));
      const metadata: Record<string, string> = {};
      for (const [key, val] of Object.entries(right.metadata ?? {})) {
        const canonical = declared.get(key.toLowerCase());
        if (!canonical) {
          problems.push(
            problem(
              ConsentCodes.unknownMetadata,
              `${path}/metadata/${key}`,
              `Resource '${view.identifier}' has no metadata key '${key}'.`,
            ),
          );
          continue;
        }
        if (val.trim() === '') {
          problems.push(
            problem(
              ConsentCodes.missingMetadataValue,
              `${path}/metadata/${key}`,
              `Metadata '${canonical}' needs a value.`,
            ),
          );
          continue;
        }
        metadata[canonical] = val;
      }
      const given = new Set(Object.keys(right.metadata ?? {}).map((k) => k.toLowerCase()));
      for (const [key, spec] of Object.entries(view.consentMetadata ?? {}))
        if (!spec?.optional && !given.has(key.toLowerCase()))
          problems.push(
            problem(
              ConsentCodes.missingMetadata,
              `${path}/metadata/${key}`,
              `Resource '${view.identifier}' requires metadata '${key}'.`,
            ),
          );
      out.push({
        action: right.action,
        resource: [{ type: RESOURCE_ATTRIBUTE_TYPE, value: view.identifier }],
        metadata: Object.keys(metadata).length ? metadata : null,
      });
    }
    return { views, rights: out, templateId };
  }

  /** GET /{id}: only the consumer (`to`) or `handledBy` may read a request. */
  async getForCaller(principal: Principal, id: string): Promise<ConsentDetailsDto> {
    const record = await this.consents.findForConsumer(principal, id);
    const history = await this.events.forRequests([record.id]);
    return toDetailsDto(record, history.get(record.id) ?? [], this.config.publicUrl);
  }

  /** POST /{id}/cancel (beyond Altinn): the consumer withdraws a request nobody has answered. */
  async cancel(principal: Principal, id: string): Promise<ConsentDetailsDto> {
    const record = await this.consents.findForConsumer(principal, id);
    const cancelled = await this.consents.cancel(
      record.id,
      record.toOrg === principal.consumer ? record.toOrg : record.handledBy!,
    );
    const history = await this.events.forRequests([record.id]);
    return toDetailsDto(cancelled, history.get(record.id) ?? [], this.config.publicUrl);
  }
}
