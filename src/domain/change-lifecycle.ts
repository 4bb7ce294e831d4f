// The lifecycle of a proposed change (DESIGN rule 3) as a pure state machine: which event moves which
// state where, who may fire it, and when a reason is required. No clock and no storage: the approval
// window, scope (agency subtree) and delegation are checked by the caller; this only answers "is this
// step legal for this role".
//
//   (NEW) ─CREATE→ DRAFT ─SUBMIT→ SUBMITTED ─VERIFY→ VERIFIED ─APPROVE_AGENCY→ AGENCY_APPROVED ─APPROVE_PROVINCE→
//   PROVINCE_APPROVED ─BATCH→ BATCHED ─SYNC→ SYNCED
//   RETURN (reason) from SUBMITTED, VERIFIED, AGENCY_APPROVED, PROVINCE_APPROVED → RETURNED
//   RETURNED ─SUBMIT→ SUBMITTED (resubmitted after edit); EDIT keeps DRAFT / RETURNED (the editable states)
//   BATCHED ─REJECT_NATIONAL (reason: the national code)→ REJECTED_BY_NATIONAL
//   BATCHED ─RELEASE (reason)→ PROVINCE_APPROVED: only when the batch failed permanently (§4: marked failed
//     for an operator, never dropped); the signed approvals still hold, so the change goes into a new batch
//     under a new batchId instead of being approved again.
// SYNCED and REJECTED_BY_NATIONAL are final: approved content is signed and never edited; a correction
// after a national rejection is a new change.
// Roles: ADMIN administers accounts and agencies and makes no workflow step (separation of duties);
// SYSTEM is the background processes (batching, national receipts, inbound transfers).

import { GatewayError } from '../errors.ts';

/** Same values as the Prisma enum `ChangeState`. */
export const CHANGE_STATES = [
  'DRAFT',
  'SUBMITTED',
  'VERIFIED',
  'AGENCY_APPROVED',
  'PROVINCE_APPROVED',
  'BATCHED',
  'SYNCED',
  'RETURNED',
  'REJECTED_BY_NATIONAL',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const LIFECYCLE_EVENTS = [
  'CREATE',
  'EDIT',
  'SUBMIT',
  'VERIFY',
  'APPROVE_AGENCY',
  'APPROVE_PROVINCE',
  'RETURN',
  'BATCH',
  'SYNC',
  'REJECT_NATIONAL',
  'RELEASE',
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export const ACTOR_ROLES = ['STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN', 'SYSTEM'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const EDITABLE_STATES: readonly ChangeState[] = ['DRAFT', 'RETURNED'];
export const FINAL_STATES: readonly ChangeState[] = ['SYNCED', 'REJECTED_BY_NATIONAL'];
/** Events whose reason is recorded with the change and must be given. */
export const REASON_REQUIRED_EVENTS: readonly LifecycleEvent[] = ['RETURN', 'REJECT_NATIONAL', 'RELEASE'];
export const REASON_MAX_LENGTH = 2000;

/** The pseudo-state before a change exists: creation is a step of the table like every other. */
export const NEW = 'NEW' as const;
type FromState = ChangeState | typeof NEW;

interface Step {
  readonly to: ChangeState;
  readonly roles: readonly ActorRole[];
}

const ENTRY: readonly ActorRole[] = ['STAFF', 'UNIT_OFFICER']; // the employee, or the unit for them
const SYSTEM: readonly ActorRole[] = ['SYSTEM'];

/** from → event → step. Anything not listed is an illegal transition. */
const TABLE: Readonly<Record<FromState, Partial<Record<LifecycleEvent, Step>>>> = {
  // Only the employee (own record) and the unit (its subtree) create changes; scope: domain/duties.ts.
  // SYSTEM: an imported transfer. A change created "submitted" is CREATE then SUBMIT.
  NEW: {
    CREATE: { to: 'DRAFT', roles: [...ENTRY, 'SYSTEM'] },
  },
  DRAFT: {
    EDIT: { to: 'DRAFT', roles: ENTRY },
    SUBMIT: { to: 'SUBMITTED', roles: [...ENTRY, 'SYSTEM'] }, // SYSTEM: an imported inbound transfer
  },
  SUBMITTED: {
    VERIFY: { to: 'VERIFIED', roles: ['UNIT_OFFICER'] },
    RETURN: { to: 'RETURNED', roles: ['UNIT_OFFICER'] },
  },
  VERIFIED: {
    APPROVE_AGENCY: { to: 'AGENCY_APPROVED', roles: ['AGENCY_HEAD'] }, // a deputy acts as AGENCY_HEAD by delegation
    RETURN: { to: 'RETURNED', roles: ['UNIT_OFFICER', 'AGENCY_HEAD'] },
  },
  AGENCY_APPROVED: {
    APPROVE_PROVINCE: { to: 'PROVINCE_APPROVED', roles: ['PROVINCE_OPERATOR'] },
    RETURN: { to: 'RETURNED', roles: ['PROVINCE_OPERATOR'] },
  },
  PROVINCE_APPROVED: {
    BATCH: { to: 'BATCHED', roles: SYSTEM },
    RETURN: { to: 'RETURNED', roles: ['PROVINCE_OPERATOR'] },
  },
  BATCHED: {
    SYNC: { to: 'SYNCED', roles: SYSTEM },
    REJECT_NATIONAL: { to: 'REJECTED_BY_NATIONAL', roles: SYSTEM },
    RELEASE: { to: 'PROVINCE_APPROVED', roles: ['PROVINCE_OPERATOR', 'SYSTEM'] },
  },
  SYNCED: {},
  RETURNED: {
    EDIT: { to: 'RETURNED', roles: ENTRY },
    SUBMIT: { to: 'SUBMITTED', roles: ENTRY },
  },
  REJECTED_BY_NATIONAL: {},
};

export function isChangeState(value: unknown): value is ChangeState {
  return typeof value === 'string' && (CHANGE_STATES as readonly string[]).includes(value);
}

export function isEditable(state: string): boolean {
  return (EDITABLE_STATES as readonly string[]).includes(state);
}

export function isFinal(state: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}

const isFromState = (v: unknown): v is FromState => v === NEW || isChangeState(v);

function stepOf(from: string, event: string): Step | undefined {
  if (!isFromState(from)) return undefined;
  const row = TABLE[from];
  return Object.hasOwn(row, event) ? row[event as LifecycleEvent] : undefined;
}

/** Events legal from `from` for `role` (for menus and buttons). */
export function allowedEvents(from: FromState, role: ActorRole): LifecycleEvent[] {
  return LIFECYCLE_EVENTS.filter((e) => stepOf(from, e)?.roles.includes(role) === true);
}

/** True when `transition` would succeed (a reason is assumed to be given where required). */
export function canTransition(from: string, event: string, role: string): boolean {
  const step = stepOf(from, event);
  return step !== undefined && (step.roles as readonly string[]).includes(role);
}

/**
 * The state after `event`, or throws: ILLEGAL_TRANSITION `{from, event, allowed}` when the event does
 * not apply to the state; FORBIDDEN `{from, event, role, allowedRoles}` when the role may not fire it;
 * REASON_REQUIRED `{event}` when a required reason is missing or blank; INVALID_VALUE `{field: 'reason',
 * reason: 'TOO_LONG'}` for a reason over REASON_MAX_LENGTH. Checked in that order.
 */
export function transition(from: string, event: string, actorRole: string, reason?: string | null): ChangeState {
  const step = stepOf(from, event);
  if (step === undefined) {
    const allowed = isFromState(from) ? Object.keys(TABLE[from]) : [];
    throw new GatewayError('ILLEGAL_TRANSITION', { from, event, allowed });
  }
  if (!(step.roles as readonly string[]).includes(actorRole)) {
    throw new GatewayError('FORBIDDEN', { from, event, role: actorRole, allowedRoles: step.roles });
  }
  if ((REASON_REQUIRED_EVENTS as readonly string[]).includes(event)) {
    if (typeof reason !== 'string' || reason.trim().length === 0) throw new GatewayError('REASON_REQUIRED', { event });
  }
  if (typeof reason === 'string' && reason.length > REASON_MAX_LENGTH) {
    throw new GatewayError('INVALID_VALUE', { field: 'reason', reason: 'TOO_LONG', maxLength: REASON_MAX_LENGTH });
  }
  return step.to;
}

/**
 * The state a new change starts in: CREATE (→ DRAFT), then SUBMIT unless it is kept as a draft.
 * Throws FORBIDDEN for a role that may not create changes (ADMIN, AGENCY_HEAD, PROVINCE_OPERATOR).
 */
export function initialState(actorRole: string, draft: boolean): ChangeState {
  const created = transition(NEW, 'CREATE', actorRole);
  return draft ? created : transition(created, 'SUBMIT', actorRole);
}

/** Alias of `transition`, the name the HTTP layer uses. */
export const applyTransition = transition;
