import { describe, expect, it } from '@jest/globals';
import { checkedCall, verdictOf } from '../../../test/helpers/gateway-calls.js';
import { BodySizeCheck } from './body-size.check.js';

describe('BodySizeCheck (413 GW-00016)', () => {
  const run = (headers: Record<string, string>) => {
    const call = checkedCall({ headers }); // the route allows 1024 bytes
    return [verdictOf(new BodySizeCheck().run(call)), call.body];
  };

  it('records how the body travels', () => {
    expect(run({})).toEqual(['pass', 'none']);
    expect(run({ 'content-length': '0' })).toEqual(['pass', 'none']);
    expect(run({ 'content-length': '1024' })).toEqual(['pass', 'sized']);
    expect(run({ 'transfer-encoding': 'chunked' })).toEqual(['pass', 'chunked']);
  });

  it('refuses a declared length over the limit at once', () => {
    expect(run({ 'content-length': '1025' })[0]).toBe('413 GW-00016');
  });
});
