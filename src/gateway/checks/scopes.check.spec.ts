import { describe, expect, it } from '@jest/globals';
import { checkedCall, principal, route, verdictOf } from '../../../test/helpers/gateway-calls.js';
import { ScopesCheck } from './scopes.check.js';

describe('ScopesCheck (403 GW-00004)', () => {
  const run = (scope: string | undefined, required = ['a:read', 'b:read']) => {
    const p = principal({ scope: scope ?? '', claims: { scope } });
    return verdictOf(
      new ScopesCheck().run(checkedCall({ principal: p, route: route({ requiredScopes: required }) })),
    );
  };

  it('passes when every required scope is held', () => {
    expect(run('a:read b:read c:write')).toBe('pass');
  });

  it('refuses a missing scope, and a token without a scope claim even when the API requires none', () => {
    expect(run('a:read')).toBe('403 GW-00004');
    expect(run('a:reader b:read')).toBe('403 GW-00004');
    expect(run(undefined, [])).toBe('403 GW-00004');
    expect(run('', [])).toBe('pass');
  });
});
