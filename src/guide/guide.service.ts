/**
 * The integration guide (DESIGN §4.11, §10): everything a consumer needs for one consent
 * resource, built on every request from the registry (the resource's current version, its
 * owner and the protected APIs that honour it), so it never drifts from what the service
 * enforces. Examples use realistic values a consumer replaces with its own.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError } from '../common/errors/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OwnersService } from '../owners/owners.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { GuideDto, GuideGatewayDto, GuideHeaderDto } from './dto/guide.dto.js';
import { GUIDE_TEXTS, type GuideLang } from './guide-texts.js';

export const GUIDE_NOT_FOUND = 'GUIDE-00001';
export const CONSENT_DETAIL_TYPE = 'urn:altinn:consent';

/** Example parties (DESIGN §9 test identities): a person and a consumer bank. */
export const EXAMPLE_PERSON = '02013299997';
export const EXAMPLE_CONSUMER_ORG = '923609016';
const EXAMPLE_VALIDITY_DAYS = 30;
const ASSERTION_LIFETIME_SECONDS = 120;

/** What extra the guide knows about a protected API (read from the gateway's registrations). */
export interface GuideApi {
  name: string;
  requiredScopes: string[];
  requiredAction: string;
  audience: string | null;
  subjectIn: string | null;
  subjectName: string | null;
}

const IDENTIFIER = /^[a-z0-9_-]{4,}$/;

@Injectable()
export class GuideService {
  constructor(
    private readonly resources: ResourcesService,
    private readonly owners: OwnersService,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(identifier: string, lang: GuideLang): Promise<{ guide: GuideDto; view: ConsentResourceView }> {
    const view = IDENTIFIER.test(identifier) ? await this.resources.getConsentResource(identifier) : null;
    if (!view) throw DomainError.notFound(GUIDE_NOT_FOUND, `There is no consent resource "${identifier}".`);
    const [owner, apis] = await Promise.all([
      this.owners.findByOrgcode(view.ownerOrgcode),
      this.apisFor(view.identifier),
    ]);
    const api = apis[0] ?? null;
    const ownerScopes = unique([...view.scopes, ...(api?.requiredScopes ?? [])]);
    const action = api?.requiredAction ?? 'consent';

    const metadataExample: Record<string, string> = {};
    for (const [key, { optional }] of Object.entries(view.consentMetadata))
      if (!optional) metadataExample[key] = `<${key}>`;
    const validTo = new Date(Date.now() + EXAMPLE_VALIDITY_DAYS * 86_400_000);
    validTo.setUTCHours(0, 0, 0, 0);
    const now = Math.floor(Date.now() / 1000);

    const guide: GuideDto = {
      resource: view.identifier,
      title: { ...view.title },
      owner: {
        orgcode: view.ownerOrgcode,
        orgNumber: view.ownerOrgNumber,
        name: owner ? { ...owner.name } : null,
      },
      scopes: unique([...ownerScopes, Scopes.consentRequestsWrite, Scopes.consentRequestsRead]),
      // Required keys first, then by name (the registry's JSON does not keep declaration order).
      metadata: Object.entries(view.consentMetadata)
        .map(([key, m]) => ({ key, optional: m.optional }))
        .sort((a, b) => Number(a.optional) - Number(b.optional) || a.key.localeCompare(b.key)),
      consentRoles: [...view.consentRoles],
      contactPoints: view.contactPoints.map((c): Record<string, string> => ({ ...c })),
      consentRequestExample: {
        id: randomUUID(),
        from: `urn:altinn:person:identifier-no:${EXAMPLE_PERSON}`,
        requiredDelegator: null,
        to: `urn:altinn:organization:identifier-no:${EXAMPLE_CONSUMER_ORG}`,
        validTo: validTo.toISOString(),
        consentRights: [
          {
            action: [action],
            resource: [{ type: 'urn:altinn:resource', value: view.identifier }],
            metadata: metadataExample,
          },
        ],
        requestMessage: {
          nb: `Vi ber om samtykke til å hente ${view.title.nb}.`,
          en: `We ask for your consent to fetch ${view.title.en}.`,
        },
        redirectUrl: 'https://consumer.example/consent-callback',
        portalViewMode: 'hide',
      },
      tokenAssertionExample: {
        header: { alg: 'RS256', kid: '<your key id>', typ: 'JWT' },
        payload: {
          aud: `${this.config.publicUrl}/`,
          iss: '<your client_id>',
          scope: ownerScopes.join(' '),
          iat: now,
          exp: now + ASSERTION_LIFETIME_SECONDS,
          jti: randomUUID(),
          authorization_details: [
            {
              type: CONSENT_DETAIL_TYPE,
              id: '<consent request id>',
              from: `urn:altinn:person:identifier-no:${EXAMPLE_PERSON}`,
            },
          ],
          ...(api?.audience ? { resource: api.audience } : {}),
        },
      },
      gateway: api ? this.gateway(api, lang) : null,
    };
    return { guide, view };
  }

  /** Protected APIs honouring the resource, by name. Read-only: the gateway owns the table. */
  private async apisFor(identifier: string): Promise<GuideApi[]> {
    const rows = await this.prisma.protectedApi.findMany({
      where: { consentResources: { has: identifier } },
      orderBy: { name: 'asc' },
      select: {
        name: true,
        requiredScopes: true,
        requiredAction: true,
        audience: true,
        subjectIn: true,
        subjectName: true,
      },
    });
    return rows;
  }

  private gateway(api: GuideApi, lang: GuideLang): GuideGatewayDto {
    const t = GUIDE_TEXTS.in(lang);
    const subject: GuideGatewayDto['subject'] =
      (api.subjectIn === 'header' || api.subjectIn === 'query') && api.subjectName
        ? { in: api.subjectIn, name: api.subjectName }
        : null;
    const requestHeaders: GuideHeaderDto[] = [
      { name: 'Authorization', description: `Bearer <access_token>. ${t.hAuthorization}` },
    ];
    if (subject)
      requestHeaders.push({
        name: subject.name,
        description: subject.in === 'header' ? t.hSubjectHeader : t.hSubjectQuery,
      });
    return {
      name: api.name,
      url: `${this.config.publicUrl}/proxy/${api.name}/`,
      // What src/gateway/proxy-headers.ts sets on every upstream request (the docs test checks
      // these against what an upstream really receives).
      headers: [
        { name: 'X-Consent-Id', description: t.hConsentId },
        { name: 'X-Consent-From', description: t.hConsentFrom },
        { name: 'X-Consent-To', description: t.hConsentTo },
        { name: 'X-Consent-Metadata', description: t.hConsentMetadata },
        { name: 'X-Forwarded-For', description: t.hForwardedFor },
        { name: 'X-Forwarded-Proto', description: t.hForwardedProto },
        { name: 'X-Request-Id', description: t.hRequestId },
      ],
      requestHeaders,
      requiredScopes: [...api.requiredScopes],
      requiredAction: api.requiredAction,
      audience: api.audience,
      subject,
    };
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
