// Every status the province can hold a person under decides between a pull and an in-province transfer.
import { describe, expect, it } from 'vitest';
import { ARRIVAL_BY_STATUS, pullRefusal, VERIFIED_BY_STATE, withheldFromRequester } from '../../../src/domain/pull-scope.ts';
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

describe('a pulled record and its requester', () => {
  const states = ['DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'RETURNED', 'REJECTED_BY_NATIONAL'];

  it('the table covers every change state of the schema', async () => {
    const { ChangeState } = await import('../../../src/generated/prisma/enums.ts');
    expect(Object.keys(VERIFIED_BY_STATE).sort()).toEqual(Object.values(ChangeState).sort());
    expect(states.sort()).toEqual(Object.values(ChangeState).sort());
  });

  it.each(states.map((s) => [s]))('state %s', (state) => {
    const unverified = ['DRAFT', 'SUBMITTED', 'RETURNED'].includes(state);
    const pulled = { source: 'PULL_TRANSFER', state, createdBy: 'officer-a' };
    expect(withheldFromRequester(pulled, 'officer-a')).toBe(unverified);
    expect(withheldFromRequester(pulled, 'officer-b')).toBe(false);
    expect(withheldFromRequester({ ...pulled, source: 'ENTRY' }, 'officer-a')).toBe(false);
    expect(withheldFromRequester({ ...pulled, source: 'INBOUND_TRANSFER' }, 'officer-a')).toBe(false);
  });
});
