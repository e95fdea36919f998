/**
 * The owner's preview of a resource policy (beyond Altinn; docs/consent-lifecycle.md): before
 * tightening `maxValidity` or `metadataValues` for existing consents (`applyToExistingConsents`),
 * which of the resource's accepted consents would the gateway then refuse (403 GW-00018)? The
 * policy is validated exactly as a PUT would, and nothing is stored.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { consentTermsProblem, type ConsentTerms } from '../resources/resource-policy.view.js';
import type { ConsentRight } from './consent.record.js';
import { grantedRights, readPartialAcceptance } from './consent-partial-acceptance.js';
import type { PolicyPreviewDto } from './dto/policy-preview.dto.js';

/** Consents one preview reads at most (one query; a resource with more gets `truncated`). */
export const PREVIEW_LIMIT = 10_000;
const EXAMPLES = 20;

@Injectable()
export class ConsentPolicyPreviewService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: ResourcePoliciesService,
  ) {}

  async preview(resource: string, raw: unknown, principal: Principal): Promise<PolicyPreviewDto> {
    const policy = await this.policies.validated(resource, raw, principal);
    const rows = await this.prisma.consentRequest.findMany({
      where: { status: 'accepted', validTo: { gt: new Date() }, resources: { has: resource } },
      select: {
        id: true,
        toOrg: true,
        validTo: true,
        consented: true,
        createdAt: true,
        consentRights: true,
        partialAcceptance: true,
        version: true,
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: PREVIEW_LIMIT + 1,
    });
    const truncated = rows.length > PREVIEW_LIMIT;
    const checked = rows.slice(0, PREVIEW_LIMIT);
    const approvedAt = await this.currentVersionApprovals(checked.filter((c) => c.version > 1));
    let breaking = 0;
    const examples: PolicyPreviewDto['examples'] = [];
    for (const c of checked) {
      // As the gateway judges it: the terms in force (an extension's validTo, counted from its
      // approval) and only the rights granted (a partial acceptance's declined ones left out).
      const terms: ConsentTerms = {
        consentedMs: (approvedAt.get(c.id) ?? c.consented ?? c.createdAt).getTime(),
        validToMs: c.validTo.getTime(),
        rights: grantedRights(
          c.consentRights as unknown as ConsentRight[],
          readPartialAcceptance(c.partialAcceptance),
        ),
      };
      const problem = consentTermsProblem(terms, resource, policy);
      if (problem === null) continue;
      breaking++;
      if (examples.length < EXAMPLES)
        examples.push({ id: c.id, toOrg: c.toOrg, validTo: c.validTo.toISOString(), problem });
    }
    return { resource, checked: checked.length, breaking, truncated, examples };
  }

  /** When each extended consent's current version was approved (its terms' acceptance). */
  private async currentVersionApprovals(
    extended: { id: string; version: number }[],
  ): Promise<Map<string, Date>> {
    if (extended.length === 0) return new Map();
    const rows = await this.prisma.consentVersion.findMany({
      where: { OR: extended.map((c) => ({ consentRequestId: c.id, version: c.version })) },
      select: { consentRequestId: true, acceptedAt: true },
    });
    return new Map(rows.map((r) => [r.consentRequestId, r.acceptedAt]));
  }
}
