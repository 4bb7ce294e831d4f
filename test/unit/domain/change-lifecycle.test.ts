import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import { ChangeState as PrismaChangeState } from '../../../src/generated/prisma/enums.ts';
import {
  ACTOR_ROLES,
  allowedEvents,
  applyTransition,
  canTransition,
  CHANGE_STATES,
  EDITABLE_STATES,
  FINAL_STATES,
  isEditable,
  isFinal,
  LIFECYCLE_EVENTS,
  REASON_MAX_LENGTH,
  transition,
  type ActorRole,
  type ChangeState,
  type LifecycleEvent,
} from '../../../src/domain/change-lifecycle.ts';

function thrown(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

/** Every legal step: from, event, to, the roles allowed. Anything else is illegal or forbidden. */
const LEGAL: [ChangeState, LifecycleEvent, ChangeState, ActorRole[]][] = [
  ['DRAFT', 'EDIT', 'DRAFT', ['STAFF', 'UNIT_OFFICER']],
  ['DRAFT', 'SUBMIT', 'SUBMITTED', ['STAFF', 'UNIT_OFFICER', 'SYSTEM']],
  ['SUBMITTED', 'VERIFY', 'VERIFIED', ['UNIT_OFFICER']],
  ['SUBMITTED', 'RETURN', 'RETURNED', ['UNIT_OFFICER']],
  ['VERIFIED', 'APPROVE_AGENCY', 'AGENCY_APPROVED', ['AGENCY_HEAD']],
  ['VERIFIED', 'RETURN', 'RETURNED', ['UNIT_OFFICER', 'AGENCY_HEAD']],
  ['AGENCY_APPROVED', 'APPROVE_PROVINCE', 'PROVINCE_APPROVED', ['PROVINCE_OPERATOR']],
  ['AGENCY_APPROVED', 'RETURN', 'RETURNED', ['PROVINCE_OPERATOR']],
  ['PROVINCE_APPROVED', 'BATCH', 'BATCHED', ['SYSTEM']],
  ['PROVINCE_APPROVED', 'RETURN', 'RETURNED', ['PROVINCE_OPERATOR']],
  ['BATCHED', 'SYNC', 'SYNCED', ['SYSTEM']],
  ['BATCHED', 'REJECT_NATIONAL', 'REJECTED_BY_NATIONAL', ['SYSTEM']],
  ['BATCHED', 'RELEASE', 'PROVINCE_APPROVED', ['PROVINCE_OPERATOR', 'SYSTEM']],
  ['RETURNED', 'EDIT', 'RETURNED', ['STAFF', 'UNIT_OFFICER']],
  ['RETURNED', 'SUBMIT', 'SUBMITTED', ['STAFF', 'UNIT_OFFICER']],
];
const NEEDS_REASON = new Set<LifecycleEvent>(['RETURN', 'REJECT_NATIONAL', 'RELEASE']);

describe('states', () => {
  it('are the Prisma ChangeState values', () => {
    expect([...CHANGE_STATES]).toEqual(Object.values(PrismaChangeState));
  });

  it.each(CHANGE_STATES.map((s) => [s]))('%s: editable and final flags', (state) => {
    expect(isEditable(state)).toBe(state === 'DRAFT' || state === 'RETURNED');
    expect(isFinal(state)).toBe(state === 'SYNCED' || state === 'REJECTED_BY_NATIONAL');
  });

  it('lists', () => {
    expect(EDITABLE_STATES).toEqual(['DRAFT', 'RETURNED']);
    expect(FINAL_STATES).toEqual(['SYNCED', 'REJECTED_BY_NATIONAL']);
  });
});

describe('legal transitions', () => {
  const cases = LEGAL.flatMap(([from, event, to, roles]) => roles.map((role) => [from, event, role, to] as const));
  it.each(cases)('%s --%s by %s--> %s', (from, event, role, to) => {
    const reason = NEEDS_REASON.has(event) ? 'Sai ngày sinh so với hồ sơ giấy' : undefined;
    expect(transition(from, event, role, reason)).toBe(to);
    expect(applyTransition(from, event, role, reason)).toBe(to);
    expect(canTransition(from, event, role)).toBe(true);
  });
});

describe('every other (state, event) pair is ILLEGAL_TRANSITION', () => {
  const legal = new Set(LEGAL.map(([from, event]) => `${from}/${event}`));
  const cases = CHANGE_STATES.flatMap((from) => LIFECYCLE_EVENTS.filter((e) => !legal.has(`${from}/${e}`)).map((e) => [from, e] as const));
  it.each(cases)('%s --%s--> illegal', (from, event) => {
    for (const role of ACTOR_ROLES) {
      const err = thrown(() => transition(from, event, role, 'lý do'));
      expect(err.code).toBe('ILLEGAL_TRANSITION');
      expect(err.details).toMatchObject({ from, event });
      expect(canTransition(from, event, role)).toBe(false);
    }
  });

  it.each([
    ['NOPE', 'SUBMIT'],
    ['DRAFT', 'NOPE'],
    ['DRAFT', 'toString'],
    ['constructor', 'SUBMIT'],
  ])('unknown state or event (%s, %s)', (from, event) => {
    expect(thrown(() => transition(from, event, 'ADMIN')).code).toBe('ILLEGAL_TRANSITION');
  });

  it('names the events allowed from the state', () => {
    expect(thrown(() => transition('SUBMITTED', 'APPROVE_AGENCY', 'AGENCY_HEAD')).details).toEqual({
      from: 'SUBMITTED',
      event: 'APPROVE_AGENCY',
      allowed: ['VERIFY', 'RETURN'],
    });
  });
});

describe('roles: FORBIDDEN for a legal step by the wrong role', () => {
  const cases = LEGAL.flatMap(([from, event, , roles]) =>
    [...ACTOR_ROLES, 'GUEST'].filter((r) => !(roles as string[]).includes(r)).map((role) => [from, event, role, roles] as const),
  );
  it.each(cases)('%s --%s by %s--> FORBIDDEN', (from, event, role, roles) => {
    expect(thrown(() => transition(from, event, role, 'lý do'))).toEqual({
      code: 'FORBIDDEN',
      details: { from, event, role, allowedRoles: roles },
    });
  });

  it('ADMIN makes no workflow step', () => {
    for (const state of CHANGE_STATES) expect(allowedEvents(state, 'ADMIN')).toEqual([]);
  });

  it.each([
    ['DRAFT', 'STAFF', ['EDIT', 'SUBMIT']],
    ['VERIFIED', 'AGENCY_HEAD', ['APPROVE_AGENCY', 'RETURN']],
    ['VERIFIED', 'UNIT_OFFICER', ['RETURN']],
    ['BATCHED', 'SYSTEM', ['SYNC', 'REJECT_NATIONAL', 'RELEASE']],
    ['SYNCED', 'SYSTEM', []],
  ] as const)('allowedEvents(%s, %s)', (state, role, events) => {
    expect(allowedEvents(state, role)).toEqual(events);
  });
});

describe('reasons', () => {
  const cases = LEGAL.filter(([, event]) => NEEDS_REASON.has(event)).flatMap(([from, event, , roles]) =>
    [undefined, null, '', '   \n'].map((reason) => [from, event, roles[0] as ActorRole, reason] as const),
  );
  it.each(cases)('%s --%s by %s with reason %j → REASON_REQUIRED', (from, event, role, reason) => {
    expect(thrown(() => transition(from, event, role, reason))).toEqual({ code: 'REASON_REQUIRED', details: { event } });
  });

  it('a reason is optional elsewhere', () => {
    expect(transition('SUBMITTED', 'VERIFY', 'UNIT_OFFICER')).toBe('VERIFIED');
    expect(transition('SUBMITTED', 'VERIFY', 'UNIT_OFFICER', 'đã đối chiếu hồ sơ giấy')).toBe('VERIFIED');
  });

  it('a reason over the limit is INVALID_VALUE', () => {
    const long = 'x'.repeat(REASON_MAX_LENGTH + 1);
    expect(thrown(() => transition('SUBMITTED', 'RETURN', 'UNIT_OFFICER', long)).code).toBe('INVALID_VALUE');
    expect(transition('SUBMITTED', 'RETURN', 'UNIT_OFFICER', 'x'.repeat(REASON_MAX_LENGTH))).toBe('RETURNED');
  });

  it('checks are ordered: illegal before forbidden before reason', () => {
    expect(thrown(() => transition('SYNCED', 'RETURN', 'STAFF')).code).toBe('ILLEGAL_TRANSITION');
    expect(thrown(() => transition('SUBMITTED', 'RETURN', 'STAFF')).code).toBe('FORBIDDEN');
  });
});

describe('whole paths', () => {
  it('a change from draft to the national database, with one return on the way', () => {
    let s: ChangeState = 'DRAFT';
    const steps: [LifecycleEvent, ActorRole, string?][] = [
      ['EDIT', 'STAFF'], ['SUBMIT', 'STAFF'], ['VERIFY', 'UNIT_OFFICER'], ['RETURN', 'AGENCY_HEAD', 'thiếu quyết định'],
      ['EDIT', 'STAFF'], ['SUBMIT', 'STAFF'], ['VERIFY', 'UNIT_OFFICER'], ['APPROVE_AGENCY', 'AGENCY_HEAD'],
      ['APPROVE_PROVINCE', 'PROVINCE_OPERATOR'], ['BATCH', 'SYSTEM'], ['RELEASE', 'PROVINCE_OPERATOR', 'gói lỗi vĩnh viễn'],
      ['BATCH', 'SYSTEM'], ['SYNC', 'SYSTEM'],
    ];
    for (const [event, role, reason] of steps) s = transition(s, event, role, reason);
    expect(s).toBe('SYNCED');
  });
});
