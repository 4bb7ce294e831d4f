// Every role × step × relation (and in/out of scope) against the rules as issue 13 states them.
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import { ACTOR_ROLES, canTransition, CHANGE_STATES, NEW, type ActorRole } from '../../../src/domain/change-lifecycle.ts';
import {
  assertDuty, DUTIES, DUTY_RELATIONS, DUTY_STEPS, dutyViolation, mayTake, relationsOf,
  type DutyActor, type DutyRelation, type DutyStep, type DutyTarget,
} from '../../../src/domain/duties.ts';

const OWN_ID = '001090012345';
const OTHER_ID = '001090099999';

/** The sentences, written out independently of the table. */
function expected(role: ActorRole, step: DutyStep, relations: Set<DutyRelation>, inScope: boolean): boolean {
  if (role === 'ADMIN' || role === 'SYSTEM') return false; // ADMIN takes no workflow step; SYSTEM is not a person
  const whoMay: Record<DutyStep, ActorRole[]> = {
    CREATE: ['STAFF', 'UNIT_OFFICER'], EDIT: ['STAFF', 'UNIT_OFFICER'], SUBMIT: ['STAFF', 'UNIT_OFFICER'],
    VERIFY: ['UNIT_OFFICER'], RETURN: ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'],
    APPROVE_AGENCY: ['AGENCY_HEAD'], APPROVE_PROVINCE: ['PROVINCE_OPERATOR'], RELEASE: ['PROVINCE_OPERATOR'],
  };
  if (!whoMay[step].includes(role)) return false;
  // STAFF: own record only; officers: their subtree (or the province, for Sở Nội vụ).
  if (role === 'STAFF' ? !relations.has('SUBJECT') : !inScope) return false;
  const beyondSubmitting = !['CREATE', 'EDIT', 'SUBMIT'].includes(step);
  if (relations.has('SUBJECT') && beyondSubmitting) return false; // nobody acts on their own record beyond submitting
  if (relations.has('CREATOR') && ['VERIFY', 'APPROVE_AGENCY', 'APPROVE_PROVINCE'].includes(step)) return false; // no approving one's own work
  if (relations.has('VERIFIER') && ['APPROVE_AGENCY', 'APPROVE_PROVINCE'].includes(step)) return false; // the verifier does not sign its approval
  return true;
}

const subsets: DutyRelation[][] = [[]];
for (const r of DUTY_RELATIONS) for (const s of [...subsets]) subsets.push([...s, r]);

function scenario(role: ActorRole, relations: DutyRelation[], inScope: boolean): { actor: DutyActor; target: DutyTarget } {
  const actorAgency = role === 'PROVINCE_OPERATOR' ? 'H55.19' : 'H55.05';
  const actor: DutyActor = { role, subject: 'me', agencyCode: actorAgency, personalId: OWN_ID };
  const target: DutyTarget = {
    personalId: relations.includes('SUBJECT') ? OWN_ID : OTHER_ID,
    agencyCode: inScope ? 'H55.05.01' : (role === 'PROVINCE_OPERATOR' ? 'H56.05' : 'H55.06.01'),
    createdBy: relations.includes('CREATOR') ? 'me' : 'someone-else',
    verifiedBy: relations.includes('VERIFIER') ? 'me' : null,
  };
  return { actor, target };
}

describe('the duty table', () => {
  const cases = ACTOR_ROLES.flatMap((role) => DUTY_STEPS.flatMap((step) => subsets.flatMap((relations) =>
    [true, false].map((inScope) => [role, step, relations.join('+') || 'none', inScope] as const))));

  it('covers every role × step × relation × scope (6 × 8 × 8 × 2)', () => {
    expect(cases).toHaveLength(6 * 8 * 8 * 2);
  });

  it.each(cases)('%s %s (relations: %s, in scope: %s)', (role, step, rel, inScope) => {
    const relations = rel === 'none' ? [] : (rel.split('+') as DutyRelation[]);
    const { actor, target } = scenario(role, relations, inScope);
    expect(new Set(relationsOf(actor, target))).toEqual(new Set(relations));
    expect(mayTake(actor, step, target)).toBe(expected(role, step, new Set(relations), inScope));
  });

  it('never lets ADMIN take a step, even on a change nobody relates to', () => {
    for (const step of DUTY_STEPS) {
      expect(dutyViolation({ role: 'ADMIN', subject: 'admin', agencyCode: 'H55' }, step, { personalId: OTHER_ID, agencyCode: 'H55.05' }))
        .toMatchObject({ rule: 'ROLE_MAY_NOT', step });
    }
  });

  it('agrees with the lifecycle: a role the lifecycle lets fire an event is a role of its duty', () => {
    for (const step of DUTY_STEPS) {
      for (const role of ACTOR_ROLES.filter((r) => r !== 'SYSTEM')) {
        const somewhere = [NEW, ...CHANGE_STATES].some((s) => canTransition(s, step, role));
        expect(somewhere, `${role} ${step}`).toBe((DUTIES[step].roles as readonly string[]).includes(role));
      }
    }
  });
});

describe('refusals', () => {
  const thrown = (fn: () => void) => {
    try { fn(); } catch (err) { if (isGatewayError(err)) return { code: err.code, status: err.statusCode, details: err.details }; throw err; }
    throw new Error('expected a refusal');
  };

  it('the subject may not verify their own change: 403 SEPARATION_OF_DUTIES, rule SUBJECT_MAY_NOT_VERIFY', () => {
    const officer = { role: 'UNIT_OFFICER', subject: 'officer-gd', agencyCode: 'H55.05', personalId: OWN_ID };
    const r = thrown(() => assertDuty(officer, 'VERIFY', { personalId: OWN_ID, agencyCode: 'H55.05.01', createdBy: 'officer-gd' }));
    expect(r).toMatchObject({ code: 'SEPARATION_OF_DUTIES', status: 403, details: { rule: 'SUBJECT_MAY_NOT_VERIFY', relation: 'SUBJECT' } });
  });

  it('the creator may not verify; the verifier may not sign the agency approval', () => {
    const officer = { role: 'UNIT_OFFICER', subject: 'o', agencyCode: 'H55.05' };
    expect(thrown(() => assertDuty(officer, 'VERIFY', { personalId: OTHER_ID, agencyCode: 'H55.05', createdBy: 'o' })).details)
      .toMatchObject({ rule: 'CREATOR_MAY_NOT_VERIFY' });
    const head = { role: 'AGENCY_HEAD', subject: 'h', agencyCode: 'H55.05' };
    expect(thrown(() => assertDuty(head, 'APPROVE_AGENCY', { personalId: OTHER_ID, agencyCode: 'H55.05', createdBy: 'x', verifiedBy: 'h' })).details)
      .toMatchObject({ rule: 'VERIFIER_MAY_NOT_APPROVE_AGENCY' });
  });

  it('out of scope is OUT_OF_SCOPE (403); a STAFF member on someone else’s record too', () => {
    expect(thrown(() => assertDuty({ role: 'UNIT_OFFICER', subject: 'o', agencyCode: 'H55.05' }, 'CREATE', { personalId: OTHER_ID, agencyCode: 'H55.06' })))
      .toMatchObject({ code: 'OUT_OF_SCOPE', status: 403 });
    expect(thrown(() => assertDuty({ role: 'STAFF', subject: 's', agencyCode: 'H55.05', personalId: OWN_ID }, 'CREATE', { personalId: OTHER_ID, agencyCode: 'H55.05' })))
      .toMatchObject({ code: 'OUT_OF_SCOPE' });
  });

  it('an actor without a known personal id is never taken for the subject', () => {
    expect(relationsOf({ role: 'UNIT_OFFICER', subject: 'o', agencyCode: 'H55' }, { personalId: OWN_ID, agencyCode: 'H55' })).toEqual([]);
  });
});
