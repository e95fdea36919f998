import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import type { OrganizationName } from './organization.view.js';
import type { LocalizedName } from './owner.view.js';

export type NameLanguage = 'nb' | 'nn' | 'en';

/**
 * Names of organisations by org number, for every place that shows an organisation (portal,
 * access-list members, access requests, the guide, webhook payloads). One lookup for many numbers,
 * so a page with ten parties makes at most two queries. A number without a known name is absent
 * from the result; callers show the number instead (formatted `923 609 016`).
 *
 * Sources, first match wins: the organisation register (`organizations`, issue 20), then the
 * service-owner registry (`Owner.name`). Within a source: the asked language, else nb.
 */
@Injectable()
export class OrganizationNamesService {
  constructor(private readonly prisma: PrismaService) {}

  async namesOf(orgNumbers: readonly string[], lang: NameLanguage): Promise<Map<string, string>> {
    const wanted = [...new Set(orgNumbers)];
    const names = new Map<string, string>();
    if (wanted.length === 0) return names;
    const registered = await this.prisma.organization.findMany({
      where: { orgNumber: { in: wanted } },
      select: { orgNumber: true, name: true },
    });
    for (const org of registered) {
      const name = org.name as unknown as OrganizationName;
      const text = name[lang] || name.nb;
      if (text) names.set(org.orgNumber, text);
    }
    const rest = wanted.filter((n) => !names.has(n));
    if (rest.length === 0) return names;
    const owners = await this.prisma.owner.findMany({
      where: { orgNumber: { in: rest } },
      select: { orgNumber: true, name: true },
    });
    for (const owner of owners) {
      const name = owner.name as unknown as LocalizedName;
      const text = name[lang] || name.nb;
      if (text) names.set(owner.orgNumber, text);
    }
    return names;
  }

  async nameOf(orgNumber: string, lang: NameLanguage): Promise<string | undefined> {
    return (await this.namesOf([orgNumber], lang)).get(orgNumber);
  }
}
