/**
 * Subject (403 GW-00010): when the API names a subject header or query parameter, its value is
 * the consent's `from`, as the bare number or the party URN.
 */
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { bodyMayCarryParams, subjectQueryValue } from '../subject-query.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class SubjectCheck implements GatewayCheck {
  readonly name = 'subject';

  run(call: GatewayCall): Verdict {
    const subject = call.route.subject;
    if (!subject) return PASS;
    const detail = call.detail!;
    let value: unknown;
    if (subject.in === 'header') value = call.req.headers[subject.key];
    else {
      // A form or JSON body would be merged with the query by the upstream's framework (RT-2).
      if (bodyMayCarryParams(call.req.headers)) return E.subjectInBodyPossible(subject.name);
      value = subjectQueryValue(call.req.url ?? '', subject.name);
    }
    // The accepted forms (bare number, party URN) are exact, so comparing with the consent's own
    // two forms is the same as parsing the value and comparing parties, without the checksums.
    if (value === detail.from.id || value === detail.fromUrn) return PASS;
    return E.subjectMismatch(
      subject.in === 'header' ? `header ${subject.name}` : `query parameter ${subject.name}`,
    );
  }
}
