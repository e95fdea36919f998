/**
 * The Maskinporten-compatible consent lookup (DESIGN §4.6): what an external issuer asks before
 * it puts one of our consents in a token.
 */
import { Injectable } from '@nestjs/common';
import type { DomainError } from '../common/errors/domain-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import {
  ConsentCodes,
  consentProblem,
  notFound,
  problem,
  UNKNOWN_FIELD,
  validationError,
  type ConsentProblem,
} from './consent-problems.js';
import { invalid, required } from './consent-body-fields.js';
import { parseParty, parsePartyOfType } from './consent-party.parser.js';
import { toLookupDto, toRecord } from './consent.mapper.js';
import type { ConsentLookupResponseDto } from './dto/consent-request.dto.js';
import { isUuid } from '../common/identifiers/uuid.js';

@Injectable()
export class ConsentLookupService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * POST /maskinporten/consent/lookup: what an external issuer asks before putting a consent in a
   * token. A consent that exists but is not for `to` (nor handled by it) is AM-00001, so an
   * issuer learns nothing about other consumers' consents; then Altinn's checks — `from`
   * (AM-00012), expiry (AM-00013), revoked (AM-00011), not accepted (AM-00014) — all reported.
   */
  async lookup(body: unknown): Promise<ConsentLookupResponseDto> {
    const problems: ConsentProblem[] = [];
    const b =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : null;
    if (!b) throw validationError([invalid('', 'The request body must be a JSON object {id, from, to}.')]);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) {
      const name = ['id', 'from', 'to'].find((n) => n === k.toLowerCase());
      if (!name)
        problems.push(problem(UNKNOWN_FIELD, `/${k}`, `Unknown field '${k}'.`, `Unknown field /${k}`));
      else fields[name] = v;
    }
    if (fields.id === undefined || fields.id === null || fields.id === '')
      problems.push(required('/id', 'id'));
    else if (!isUuid(fields.id)) problems.push(invalid('/id', "'id' must be a UUID."));
    const from = parseParty(fields.from, '/from', 'from');
    if ('problem' in from) problems.push(from.problem);
    const to = parsePartyOfType(fields.to, '/to', 'to', 'organization', "'to' must be an organization URN.");
    if ('problem' in to) problems.push(to.problem);
    if (problems.length) throw validationError(problems);

    const id = String(fields.id);
    const fromUrn = (from as { party: { urn: string } }).party.urn;
    const toOrg = (to as { party: { id: string } }).party.id;
    const row = await this.prisma.consentRequest.findUnique({ where: { id: id.toLowerCase() } });
    if (!row || (row.toOrg !== toOrg && row.handledBy !== toOrg)) throw notFound(id);
    const record = toRecord(row);

    const found: DomainError[] = [];
    if (record.from !== fromUrn)
      found.push(
        consentProblem(400, ConsentCodes.partyMismatch, "'from' is not the party that gave this consent."),
      );
    // `status` is the effective one: created/accepted past validTo already read as expired.
    if (record.status === 'expired' || record.validTo.getTime() <= Date.now())
      found.push(
        consentProblem(400, ConsentCodes.expired, `The consent expired at ${record.validTo.toISOString()}.`),
      );
    const stored = row.status;
    if (stored === 'revoked')
      found.push(consentProblem(400, ConsentCodes.revoked, 'The consent has been revoked.'));
    else if (stored === 'expired' ? row.consented === null : stored !== 'accepted')
      found.push(
        consentProblem(
          400,
          ConsentCodes.notAccepted,
          stored === 'expired'
            ? 'The consent request was never accepted.'
            : `The consent is ${stored}, not accepted.`,
        ),
      );
    if (found.length === 1) throw found[0];
    if (found.length > 1)
      throw validationError(
        found.map((e) => problem(e.code, e.code === ConsentCodes.partyMismatch ? '/from' : '/id', e.detail)),
      );
    return toLookupDto(record);
  }
}
