import { describe, expect, it } from '@jest/globals';
import {
  checkedCall,
  consentDetailClaim,
  principal,
  route,
  verdictOf,
  RESOURCE,
} from '../../../test/helpers/gateway-calls.js';
import { CoverageCheck } from './coverage.check.js';

const right = (resource: string, action: string[], metadata = {}) => ({
  action,
  resource: [{ type: 'urn:altinn:resource', value: resource }],
  metadata,
});

function callWithRights(rights: unknown[], r = route()) {
  const call = checkedCall({
    route: r,
    principal: principal({ authorizationDetails: [consentDetailClaim({ consentRights: rights })] }),
  });
  call.match = null;
  return call;
}

describe('CoverageCheck (403 GW-00006)', () => {
  it("keeps the first right, in the consent's order, that gives the API's action on one of its resources", () => {
    const call = callWithRights([
      right('other', ['consent']),
      right(RESOURCE, ['read']),
      right(RESOURCE, ['consent'], { inntektsaar: '2023' }),
      right(RESOURCE, ['consent'], { inntektsaar: '2024' }),
    ]);
    expect(verdictOf(new CoverageCheck().run(call))).toBe('pass');
    expect(call.match).toMatchObject({ resource: RESOURCE, right: { metadata: { inntektsaar: '2023' } } });
  });

  it('refuses rights for other resources or other actions', () => {
    expect(verdictOf(new CoverageCheck().run(callWithRights([right('other', ['consent'])])))).toBe(
      '403 GW-00006',
    );
    const write = route({ requiredAction: 'write' });
    expect(verdictOf(new CoverageCheck().run(callWithRights([right(RESOURCE, ['consent'])], write)))).toBe(
      '403 GW-00006',
    );
  });
});
