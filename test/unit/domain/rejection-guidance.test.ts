import { describe, expect, it } from 'vitest';
import { isNationalRejectionCode, NATIONAL_REJECTION_CODES, REJECTION_ACTIONS, rejectionGuidance } from '../../../src/domain/rejection-guidance.ts';
import { recordDifferences } from '../../../src/domain/record-diff.ts';

describe('rejectionGuidance', () => {
  it('gives every §6 rejection code an action and Vietnamese advice', () => {
    for (const code of NATIONAL_REJECTION_CODES) {
      const g = rejectionGuidance(code);
      expect(REJECTION_ACTIONS).toContain(g.action);
      expect(g.advice.length).toBeGreaterThan(20);
    }
  });

  it.each([
    ['STALE_VERSION', 'REBASE_ON_NATIONAL'],
    ['INVALID_PERSONAL_ID', 'NEW_CHANGE'],
    ['PERSONAL_ID_MISMATCH', 'NEW_CHANGE'],
    ['MISSING_FIELD', 'NEW_CHANGE'],
    ['INVALID_VALUE', 'NEW_CHANGE'],
    ['INVALID_AGENCY_CODE', 'FIX_AGENCY_DATA'],
    ['AGENCY_NOT_IN_PROVINCE', 'FIX_AGENCY_DATA'],
    ['NOT_APPROVED', 'CONTACT_NATIONAL'],
  ])('%s → %s', (code, action) => {
    expect(rejectionGuidance(code).action).toBe(action);
  });

  it('sends a code the contract does not name to the national support', () => {
    expect(isNationalRejectionCode('SOMETHING_NEW')).toBe(false);
    expect(rejectionGuidance('SOMETHING_NEW').action).toBe('CONTACT_NATIONAL');
    expect(rejectionGuidance('')).toEqual(rejectionGuidance('SOMETHING_NEW'));
  });

  it('advises the rebase path for STALE_VERSION', () => {
    expect(rejectionGuidance('STALE_VERSION').advice).toContain('phiên bản quốc gia');
  });
});

describe('recordDifferences', () => {
  it('lists changed, added and removed leaves by path, sorted', () => {
    const national = { A: '1', B: { C: 2, D: ['x', 'y'] }, E: true };
    const provincial = { A: '1', B: { C: 3, D: ['x'] }, F: 'new' };
    expect(recordDifferences(national, provincial)).toEqual([
      { path: 'B/C', national: 2, provincial: 3 },
      { path: 'B/D[1]', national: 'y', provincial: undefined },
      { path: 'E', national: true, provincial: undefined },
      { path: 'F', national: undefined, provincial: 'new' },
    ]);
  });

  it('finds nothing between equal records, whatever the key order', () => {
    expect(recordDifferences({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('tells an empty list from a missing one', () => {
    expect(recordDifferences({ L: [] }, {})).toEqual([{ path: 'L', national: [], provincial: undefined }]);
  });
});
