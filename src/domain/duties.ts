// Separation of duties (DESIGN "The people and what they do"; issue 13): who may take which workflow
// step on which change, given how the actor relates to it. change-lifecycle.ts says which role may fire
// an event from a state; this table adds what the role alone cannot say:
//   - scope: STAFF acts only on their own record, officers on their agency's subtree;
//   - relations: the subject of a change, its creator and its verifier are barred from the review steps
//     that would let them approve their own work.
// Pure: the caller (src/services/) gathers the facts (who created, who verified) and asks.

import { GatewayError } from '../errors.ts';
import { isWithinSubtree } from './agency-code.ts';
import type { ActorRole } from './change-lifecycle.ts';

/** The workflow steps a person takes (SYSTEM's BATCH/SYNC/REJECT_NATIONAL are not duties of a person). */
export const DUTY_STEPS = ['CREATE', 'EDIT', 'SUBMIT', 'VERIFY', 'RETURN', 'APPROVE_AGENCY', 'APPROVE_PROVINCE', 'RELEASE'] as const;
export type DutyStep = (typeof DUTY_STEPS)[number];

/** How an actor can stand to a change. */
export const DUTY_RELATIONS = ['SUBJECT', 'CREATOR', 'VERIFIER'] as const;
export type DutyRelation = (typeof DUTY_RELATIONS)[number];

/**
 * Where a role may act: its own record, its agency's subtree, the whole province (Sở Nội vụ answers for
 * every agency of it), or nowhere (ADMIN runs the system only).
 */
export type DutyScope = 'OWN_RECORD' | 'SUBTREE' | 'PROVINCE' | 'NONE';

interface Duty {
  /** Roles that may take the step at all (further narrowed by the lifecycle's state × event table). */
  readonly roles: readonly ActorRole[];
  /** Relations to the change that bar the step, whatever the role. */
  readonly barred: readonly DutyRelation[];
}

const REVIEW_BAR: readonly DutyRelation[] = ['SUBJECT', 'CREATOR', 'VERIFIER'];

/**
 * THE table. Reading it: "VERIFY may be taken by a UNIT_OFFICER, unless they are the change's subject or
 * its creator". Creating, editing and submitting one's own record is what the employee does, so no
 * relation bars them; every later step is barred to the subject ("nobody acts on their own record beyond
 * submitting it").
 */
export const DUTIES: Readonly<Record<DutyStep, Duty>> = {
  CREATE: { roles: ['STAFF', 'UNIT_OFFICER'], barred: [] },
  EDIT: { roles: ['STAFF', 'UNIT_OFFICER'], barred: [] },
  SUBMIT: { roles: ['STAFF', 'UNIT_OFFICER'], barred: [] },
  VERIFY: { roles: ['UNIT_OFFICER'], barred: ['SUBJECT', 'CREATOR'] },
  // Sending back approves nothing: the creator may withdraw their own entry, the verifier their verification.
  RETURN: { roles: ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'], barred: ['SUBJECT'] },
  APPROVE_AGENCY: { roles: ['AGENCY_HEAD'], barred: REVIEW_BAR },
  APPROVE_PROVINCE: { roles: ['PROVINCE_OPERATOR'], barred: REVIEW_BAR },
  RELEASE: { roles: ['PROVINCE_OPERATOR'], barred: ['SUBJECT'] },
};

/** Scope of each role. SYSTEM (background processes) is not a person and is not checked here. */
export const ROLE_SCOPE: Readonly<Record<Exclude<ActorRole, 'SYSTEM'>, DutyScope>> = {
  STAFF: 'OWN_RECORD',
  UNIT_OFFICER: 'SUBTREE',
  AGENCY_HEAD: 'SUBTREE',
  PROVINCE_OPERATOR: 'PROVINCE',
  ADMIN: 'NONE',
};

export interface DutyActor {
  readonly role: string;
  readonly subject: string;
  /** The actor's own personal id, when the SSO or their grants know it. */
  readonly personalId?: string | undefined;
  readonly agencyCode: string;
}

export interface DutyTarget {
  readonly personalId: string;
  /** The agency the change belongs to (its employing agency). */
  readonly agencyCode: string;
  /** Subject (SSO `sub`) of who created the change; absent while creating it. */
  readonly createdBy?: string | null;
  /** Subject of who verified it (the last VERIFIED event), if anyone. */
  readonly verifiedBy?: string | null;
}

/** Stable reasons in the details of SEPARATION_OF_DUTIES and OUT_OF_SCOPE refusals. */
export type DutyViolation =
  | { rule: 'ROLE_MAY_NOT'; step: DutyStep; role: string; allowedRoles: readonly ActorRole[] }
  | { rule: 'OUT_OF_SCOPE'; step: DutyStep; scope: DutyScope }
  | { rule: `${DutyRelation}_MAY_NOT_${DutyStep}`; step: DutyStep; relation: DutyRelation };

export function relationsOf(actor: DutyActor, target: DutyTarget): DutyRelation[] {
  const out: DutyRelation[] = [];
  if (actor.personalId !== undefined && actor.personalId === target.personalId) out.push('SUBJECT');
  if (target.createdBy != null && target.createdBy === actor.subject) out.push('CREATOR');
  if (target.verifiedBy != null && target.verifiedBy === actor.subject) out.push('VERIFIER');
  return out;
}

function inScope(actor: DutyActor, target: DutyTarget): boolean {
  const scope = ROLE_SCOPE[actor.role as keyof typeof ROLE_SCOPE] ?? 'NONE';
  if (scope === 'OWN_RECORD') return actor.personalId !== undefined && actor.personalId === target.personalId;
  if (scope === 'SUBTREE') return isWithinSubtree(target.agencyCode, actor.agencyCode);
  if (scope === 'PROVINCE') return target.agencyCode.split('.')[0] === actor.agencyCode.split('.')[0];
  return false;
}

/**
 * The relation that bars `step` for this actor, or null. For callers that check role and scope their own
 * way (the agency approval admits a deputy by recorded delegation, whatever their role).
 */
export function barringRelation(actor: DutyActor, step: DutyStep, target: DutyTarget): DutyRelation | null {
  return relationsOf(actor, target).find((r) => DUTIES[step].barred.includes(r)) ?? null;
}

/** The first rule `step` would break, or null when the actor may take it. Checked: role, scope, relations. */
export function dutyViolation(actor: DutyActor, step: DutyStep, target: DutyTarget): DutyViolation | null {
  const duty = DUTIES[step];
  if (!(duty.roles as readonly string[]).includes(actor.role)) return { rule: 'ROLE_MAY_NOT', step, role: actor.role, allowedRoles: duty.roles };
  if (!inScope(actor, target)) return { rule: 'OUT_OF_SCOPE', step, scope: ROLE_SCOPE[actor.role as keyof typeof ROLE_SCOPE] };
  const relation = barringRelation(actor, step, target);
  return relation ? { rule: `${relation}_MAY_NOT_${step}`, step, relation } : null;
}

export function mayTake(actor: DutyActor, step: DutyStep, target: DutyTarget): boolean {
  return dutyViolation(actor, step, target) === null;
}

/** Throws SEPARATION_OF_DUTIES (403) with the broken rule in `details`, or OUT_OF_SCOPE for scope. */
export function assertDuty(actor: DutyActor, step: DutyStep, target: DutyTarget): void {
  const v = dutyViolation(actor, step, target);
  if (v === null) return;
  if (v.rule === 'OUT_OF_SCOPE') throw new GatewayError('OUT_OF_SCOPE', { ...v, agencyCode: target.agencyCode, scope: actor.agencyCode });
  throw new GatewayError('SEPARATION_OF_DUTIES', v);
}

/** The duty of a lifecycle event, where the event is taken by a person. */
export function dutyOfEvent(event: string): DutyStep | null {
  return (DUTY_STEPS as readonly string[]).includes(event) ? (event as DutyStep) : null;
}
