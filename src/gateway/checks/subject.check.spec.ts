import { describe, expect, it } from '@jest/globals';
import { checkedCall, route, verdictOf, FROM_PID, FROM_URN } from '../../../test/helpers/gateway-calls.js';
import { SubjectCheck } from './subject.check.js';

const inHeader = route({ subject: { in: 'header', name: 'X-Subject', key: 'x-subject' } });
const inQuery = route({ subject: { in: 'query', name: 'fnr', key: 'fnr' } });

describe('SubjectCheck (403 GW-00010)', () => {
  it('passes when the API names no subject', () => {
    expect(verdictOf(new SubjectCheck().run(checkedCall()))).toBe('pass');
  });

  it("accepts the consent's `from` as the bare number or the party URN, in a header or the query", () => {
    const header = (v: string) =>
      verdictOf(new SubjectCheck().run(checkedCall({ route: inHeader, headers: { 'x-subject': v } })));
    expect(header(FROM_PID)).toBe('pass');
    expect(header(FROM_URN)).toBe('pass');
    const query = (q: string) =>
      verdictOf(new SubjectCheck().run(checkedCall({ route: inQuery, url: `/proxy/inntekt/x?${q}` })));
    expect(query(`fnr=${FROM_PID}`)).toBe('pass');
    expect(query(`fnr=${encodeURIComponent(FROM_URN)}`)).toBe('pass');
  });

  it('refuses a missing or different subject', () => {
    expect(verdictOf(new SubjectCheck().run(checkedCall({ route: inHeader })))).toBe('403 GW-00010');
    const other = checkedCall({ route: inHeader, headers: { 'x-subject': '02013299997' } });
    expect(verdictOf(new SubjectCheck().run(other))).toBe('403 GW-00010');
    const query = checkedCall({ route: inQuery, url: '/proxy/inntekt/x?other=1' });
    expect(verdictOf(new SubjectCheck().run(query))).toBe('403 GW-00010');
  });

  it('refuses a form or JSON body when the subject is read from the query (RT-2)', () => {
    const call = checkedCall({
      route: inQuery,
      url: `/proxy/inntekt/x?fnr=${FROM_PID}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '10' },
    });
    expect(verdictOf(new SubjectCheck().run(call))).toBe('403 GW-00010');
    const binary = checkedCall({
      route: inQuery,
      url: `/proxy/inntekt/x?fnr=${FROM_PID}`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '10' },
    });
    expect(verdictOf(new SubjectCheck().run(binary))).toBe('pass');
  });
});
