// Every status the province can hold a person under decides between a pull and an in-province transfer.
import { describe, expect, it } from 'vitest';
import { ARRIVAL_BY_STATUS, pullRefusal } from '../../../src/domain/pull-scope.ts';
import { TRANG_THAI } from '../../../src/domain/profile-enums.ts';

describe('pull scope', () => {
  it('a person unknown to the province may be pulled', () => {
    expect(pullRefusal(null)).toBeNull();
  });

  it.each(TRANG_THAI.map((s) => [s]))('status %s', (status) => {
    const expected = status === 'DANG_CONG_TAC' ? 'IN_PROVINCE_TRANSFER_REQUIRED' : null;
    expect(pullRefusal({ status })).toBe(expected);
    expect(ARRIVAL_BY_STATUS[status]).toBe(expected ? 'IN_PROVINCE_TRANSFER' : 'PULL');
  });

  it('the table covers exactly the statuses of the national record', () => {
    expect(Object.keys(ARRIVAL_BY_STATUS).sort()).toEqual([...TRANG_THAI].sort());
  });
});
