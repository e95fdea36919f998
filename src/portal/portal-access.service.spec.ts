import { describe, expect, it } from '@jest/globals';
import type { ConsentRecord } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { PortalAccessService, type RoleMap } from './portal-access.service.js';

const PERSON = '02013299997';
const OTHER = '25922947409';
const ORG = '991825827';
const personUrn = (p: string) => `urn:altinn:person:identifier-no:${p}`;
const orgUrn = (o: string) => `urn:altinn:organization:identifier-no:${o}`;

const consent = (o: Partial<ConsentRecord>) =>
  ({ from: personUrn(PERSON), requiredDelegator: null, ...o }) as ConsentRecord;
const resource = (consentRoles: string[]) => ({ consentRoles }) as unknown as ConsentResourceView;
const roles = (entries: [string, string[]][]): RoleMap => new Map(entries.map(([o, r]) => [o, new Set(r)]));
// `allowed` is pure: the owners service is only used by `rolesOf`.
const access = new PortalAccessService(undefined as never);

describe('who may act on a consent in the portal', () => {
  it('lets only the person themselves act on a person’s consent', () => {
    const c = consent({});
    expect(access.allowed('decide', PERSON, c, [resource([])], roles([]))).toBe(true);
    expect(access.allowed('decide', OTHER, c, [resource([])], roles([]))).toBe(false);
    expect(access.allowed('act-for-party', OTHER, c, [resource([])], roles([[ORG, ['DAGL']]]))).toBe(false);
  });

  it('lets a holder of DAGL or LEDE act for an organisation when the resource names no roles', () => {
    const c = consent({ from: orgUrn(ORG) });
    expect(access.allowed('decide', PERSON, c, [resource([])], roles([[ORG, ['LEDE']]]))).toBe(true);
    expect(access.allowed('decide', PERSON, c, [resource([])], roles([[ORG, ['REGN']]]))).toBe(false);
    expect(access.allowed('decide', PERSON, c, [resource([])], roles([['974760673', ['DAGL']]]))).toBe(false);
    expect(access.allowed('decide', PERSON, c, [], roles([[ORG, ['DAGL']]]))).toBe(false);
  });

  it('requires a role from every resource’s consentRoles', () => {
    const c = consent({ from: orgUrn(ORG) });
    const both = [resource(['REGN']), resource(['DAGL'])];
    expect(access.allowed('decide', PERSON, c, both, roles([[ORG, ['REGN']]]))).toBe(false);
    expect(access.allowed('decide', PERSON, c, both, roles([[ORG, ['REGN', 'DAGL']]]))).toBe(true);
  });

  it('narrows deciding to the requiredDelegator, but not revoking', () => {
    const c = consent({ from: orgUrn(ORG), requiredDelegator: personUrn(OTHER) });
    const r = roles([[ORG, ['DAGL']]]);
    expect(access.allowed('decide', PERSON, c, [resource([])], r)).toBe(false);
    expect(access.allowed('decide', OTHER, c, [resource([])], r)).toBe(true);
    expect(access.allowed('act-for-party', PERSON, c, [resource([])], r)).toBe(true);
  });

  it('never lets a requiredDelegator act for another person, nor anyone act on a malformed party', () => {
    expect(
      access.allowed('decide', OTHER, consent({ requiredDelegator: personUrn(OTHER) }), [], roles([])),
    ).toBe(false);
    expect(
      access.allowed('decide', PERSON, consent({ from: 'urn:altinn:person:identifier-no:1' }), [], roles([])),
    ).toBe(false);
  });
});
