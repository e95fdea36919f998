import { Injectable } from '@nestjs/common';
import { OrganizationNamesService } from '../owners/organization-names.service.js';
import type { AccessRequestDto } from './dto/access-request.dto.js';

function isPage(a: { data: AccessRequestDto[] } | AccessRequestDto): a is { data: AccessRequestDto[] } {
  return 'data' in a;
}

/**
 * Puts the names of both parties on access requests as they leave the API (issue 20), with one
 * lookup per answer. Added at the edge, not stored: a register update renames old requests too.
 */
@Injectable()
export class AccessRequestNames {
  constructor(private readonly names: OrganizationNamesService) {}

  async name<T extends { data: AccessRequestDto[] } | AccessRequestDto>(answer: T): Promise<T> {
    const items: AccessRequestDto[] = isPage(answer) ? answer.data : [answer];
    const names = await this.names.namesOf(
      items.flatMap((r) => [r.consumerOrgNumber, r.ownerOrgNumber]),
      'nb',
    );
    for (const r of items) {
      r.consumerName = names.get(r.consumerOrgNumber) ?? null;
      r.ownerName = names.get(r.ownerOrgNumber) ?? null;
    }
    return answer;
  }
}
