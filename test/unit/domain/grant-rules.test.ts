// The grant table, exhaustively: every action × acting role × granted role × where × whose grant × state.
import { describe, expect, it } from 'vitest';
import { grantsAfterMove, isReservedSubject, reservedSubject, GRANT_ACTIONS, GRANT_FROM, GRANT_ROLES, GRANT_STATES, grantInForce, grantViolation, type GrantAction, type GrantRole, type GrantState } from '../../../src/domain/grant-rules.ts';

const S = { soNoiVuCode: 'H55.19', provinceCode: 'H55' };
const actorAt: Record<GrantRole, string> = { STAFF: 'H55.05.01', UNIT_OFFICER: 'H55.05', AGENCY_HEAD: 'H55.05', PROVINCE_OPERATOR: 'H55.19', ADMIN: 'H55.19' };
const places = { OWN_SUBTREE: 'H55.05.02', OTHER_AGENCY: 'H55.06', SO_NOI_VU: 'H55.19.01', OTHER_PROVINCE: 'H60.05' } as const;

/** The rules written out in words, independently of the table. */
function expected(actorRole: GrantRole, action: GrantAction, role: GrantRole, place: keyof typeof places, own: boolean, state: GrantState | null): string | null {
  const reach = action === 'REQUEST'
    ? ({ AGENCY_HEAD: 'SUBTREE', PROVINCE_OPERATOR: 'PROVINCE' } as Record<string, string>)[actorRole]
    : ({ PROVINCE_OPERATOR: 'PROVINCE', ADMIN: 'SO_NOI_VU' } as Record<string, string>)[actorRole];
  if (!reach) return 'ROLE_MAY_NOT';
  if (action === 'REQUEST' && !['STAFF', 'UNIT_OFFICER'].includes(role)) return 'ROLE_NOT_GRANTABLE';
  if (role === 'ADMIN' && actorRole !== 'ADMIN') return 'ADMIN_ONLY_BY_ADMIN';
  const inReach = reach === 'PROVINCE' ? place !== 'OTHER_PROVINCE' : reach === 'SO_NOI_VU' ? place === 'SO_NOI_VU' : place === 'OWN_SUBTREE';
  if (!inReach) return 'OUT_OF_SCOPE';
  if (own) return 'OWN_GRANT';
  const from: Record<GrantAction, (GrantState | null)[]> = { REQUEST: [null], GRANT: [null, 'REQUESTED'], LIMIT: ['ACTIVE'], EXTEND: ['ACTIVE'], REVOKE: ['REQUESTED', 'ACTIVE'] };
  return from[action].includes(state) ? null : 'ILLEGAL_STATE';
}

const cases: Array<[GrantRole, GrantAction, GrantRole, keyof typeof places, boolean, GrantState | null]> = [];
for (const actorRole of GRANT_ROLES) for (const action of GRANT_ACTIONS) for (const role of GRANT_ROLES)
  for (const place of Object.keys(places) as Array<keyof typeof places>) for (const own of [false, true]) for (const state of [null, ...GRANT_STATES])
    cases.push([actorRole, action, role, place, own, state]);

describe('grant rules', () => {
  it(`decide all ${cases.length} cases as the rules say`, () => {
    const wrong = cases.filter(([actorRole, action, role, place, own, state]) => {
      const actor = { subject: 'me', role: actorRole, agencyCode: actorAt[actorRole] };
      const got = grantViolation(actor, action, { subject: own ? 'me' : 'someone', role, agencyCode: places[place], state }, S);
      return got !== expected(actorRole, action, role, place, own, state);
    });
    expect(wrong).toEqual([]);
  });

  it('insiders: an operator outside Sở Nội vụ, an agency head granting an officer role, ADMIN granting outside Sở Nội vụ, anyone raising themselves', () => {
    const at = (role: GrantRole, agencyCode: string) => ({ subject: 'me', role, agencyCode });
    const target = (role: GrantRole, agencyCode: string, subject = 'x') => ({ subject, role, agencyCode, state: null });
    expect(grantViolation(at('PROVINCE_OPERATOR', 'H55.05'), 'GRANT', target('UNIT_OFFICER', 'H55.05'), S)).toBe('OUT_OF_SCOPE');
    expect(grantViolation(at('AGENCY_HEAD', 'H55.05'), 'REQUEST', target('AGENCY_HEAD', 'H55.05.01'), S)).toBe('ROLE_NOT_GRANTABLE');
    expect(grantViolation(at('AGENCY_HEAD', 'H55.05'), 'GRANT', target('UNIT_OFFICER', 'H55.05.01'), S)).toBe('ROLE_MAY_NOT');
    expect(grantViolation(at('ADMIN', 'H55.19'), 'GRANT', target('PROVINCE_OPERATOR', 'H55.05'), S)).toBe('OUT_OF_SCOPE');
    expect(grantViolation(at('PROVINCE_OPERATOR', 'H55.19'), 'GRANT', target('ADMIN', 'H55.19'), S)).toBe('ADMIN_ONLY_BY_ADMIN');
    expect(grantViolation(at('PROVINCE_OPERATOR', 'H55.19'), 'EXTEND', { ...target('PROVINCE_OPERATOR', 'H55.19', 'me'), state: 'ACTIVE' }, S)).toBe('OWN_GRANT');
    expect(grantViolation(at('ADMIN', 'H55.19'), 'GRANT', target('ADMIN', 'H55.19', 'me'), S)).toBe('OWN_GRANT');
  });

  it('every action starts from a listed state', () => {
    expect(Object.keys(GRANT_FROM).sort()).toEqual([...GRANT_ACTIONS].sort());
  });

  it('a grant is in force only while ACTIVE and inside its period', () => {
    const g = { state: 'ACTIVE', validFrom: new Date('2026-11-01T00:00:00Z'), validTo: new Date('2026-12-01T00:00:00Z') };
    expect(grantInForce(g, new Date('2026-11-15T00:00:00Z'))).toBe(true);
    expect(grantInForce(g, new Date('2026-10-31T23:59:59Z'))).toBe(false);
    expect(grantInForce(g, new Date('2026-12-01T00:00:00Z'))).toBe(false);
    expect(grantInForce({ ...g, validTo: null }, new Date('2099-01-01T00:00:00Z'))).toBe(true);
    expect(grantInForce({ ...g, state: 'REVOKED' }, new Date('2026-11-15T00:00:00Z'))).toBe(false);
    expect(grantInForce({ ...g, state: 'REQUESTED' }, new Date('2026-11-15T00:00:00Z'))).toBe(false);
  });
});

describe('grants follow a moved record', () => {
  const pid = '001085012345';
  const held = [
    { id: 'staff', subject: 'an', role: 'STAFF', agencyCode: 'H55.05.01', personalId: pid, state: 'ACTIVE' },
    { id: 'officer', subject: 'an', role: 'UNIT_OFFICER', agencyCode: 'H55.05', personalId: null, state: 'ACTIVE' },
    { id: 'wide', subject: 'an', role: 'AGENCY_HEAD', agencyCode: 'H55', personalId: null, state: 'ACTIVE' },
    { id: 'old', subject: 'an', role: 'UNIT_OFFICER', agencyCode: 'H55.06', personalId: null, state: 'REVOKED' },
    { id: 'other', subject: 'binh', role: 'UNIT_OFFICER', agencyCode: 'H55.05', personalId: null, state: 'ACTIVE' },
  ];

  it('transferred out of H55.05 into H55.06: loses what came with H55.05, keeps what covers H55.06, gets a STAFF grant there', () => {
    expect(grantsAfterMove(held, pid, { employingAgencyCode: 'H55.06.02', inService: true })).toEqual({ revoke: ['staff', 'officer'], staffFor: ['an'] });
  });

  it('moved inside the same unit: nothing changes', () => {
    expect(grantsAfterMove(held, pid, { employingAgencyCode: 'H55.05.01', inService: true })).toEqual({ revoke: [], staffFor: [] });
  });

  it('left service (retired, out of the province): every grant of the account is revoked, none granted', () => {
    expect(grantsAfterMove(held, pid, { employingAgencyCode: 'H55.05.01', inService: false })).toEqual({ revoke: ['staff', 'officer', 'wide'], staffFor: [] });
  });

  it('a person with no account (no STAFF grant on their record) changes nobody’s grants, not even a namesake’s', () => {
    expect(grantsAfterMove(held, '079190000123', { employingAgencyCode: 'H55.06', inService: false })).toEqual({ revoke: [], staffFor: [] });
  });

  it('a reservation for a person with no account stands under a placeholder subject that follows the record like an account', () => {
    expect(reservedSubject('079190000123')).toBe('personal-id:079190000123');
    expect([isReservedSubject('personal-id:079190000123'), isReservedSubject('can.bo.05'), isReservedSubject('xpersonal-id:1')]).toEqual([true, false, false]);
    const reserved = [{ id: 'r', subject: reservedSubject('079190000123'), role: 'STAFF', agencyCode: 'H55.05', personalId: '079190000123', state: 'ACTIVE' }];
    expect(grantsAfterMove(reserved, '079190000123', { employingAgencyCode: 'H55.06', inService: true })).toEqual({ revoke: ['r'], staffFor: ['personal-id:079190000123'] });
  });
});
