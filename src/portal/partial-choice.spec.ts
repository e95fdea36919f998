import { describe, expect, it } from '@jest/globals';
import { postedRights } from './partial-choice.js';

describe('the ticked rights of an accept form', () => {
  it('reads none, one or several `right` fields as indexes', () => {
    expect(postedRights({ _csrf: 'x' }, 3)).toEqual([]);
    expect(postedRights({ right: '2' }, 3)).toEqual([2]);
    expect(postedRights({ right: ['0', '2'] }, 3)).toEqual([0, 2]);
  });

  it('refuses anything the page could not have sent', () => {
    for (const right of ['3', '-1', '01', '1.0', ' 1', 'abc', '', ['1', '1'], [['1']], 1, { 0: '1' }])
      expect(postedRights({ right }, 3)).toBeNull();
    expect(postedRights({ right: '1000' }, 2000)).toBeNull();
  });
});
