// Use cases of a profile change's review: create (a new record, an update, a status change), edit,
// submit, verify, return. Every step asks the lifecycle table (domain/change-lifecycle.ts) whether the
// role may fire it from the current state, then the duty table (domain/duties.ts) whether this person may
// take it on this change (scope, own record, own work). A refusal throws before anything is written.
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { applyTransition, initialState, isEditable, type LifecycleEvent } from '../domain/change-lifecycle.ts';
import { assertDuty, dutyOfEvent, type DutyTarget } from '../domain/duties.ts';
import { isWithinSubtree } from '../domain/agency-code.ts';
import type { Db } from '../store/db.ts';
import {
  createChange, createPersonWithChange, transitionChange, type ChangeContent, type ChangeHistory, type ChangeRow, type Decision, type NewChange,
} from '../store/changes.ts';
import type { ChangeState } from '../generated/prisma/client.ts';

export interface ChangeWorkflowDeps {
  readonly db: Db;
}

/** What a caller proposes; the use case decides the initial state. */
export type ProposedChange = Omit<NewChange, 'state'> & { draft?: boolean };

function targetOf(change: Pick<ChangeRow, 'personalId' | 'agencyCode' | 'createdBy'>, history?: ChangeHistory): DutyTarget {
  return { personalId: change.personalId, agencyCode: change.agencyCode, createdBy: change.createdBy, verifiedBy: history?.verifiedBy ?? null };
}

/** Creation: the lifecycle's CREATE (and SUBMIT unless a draft), in scope of every agency the change names. */
function creationState(principal: Principal, input: ProposedChange): ChangeState {
  const state = initialState(principal.role, input.draft === true) as ChangeState;
  for (const agencyCode of new Set([input.employingAgencyCode, input.managingAgencyCode])) {
    assertDuty(principal, 'CREATE', { personalId: input.personalId, agencyCode });
  }
  return state;
}

function newChange(principal: Principal, input: ProposedChange): NewChange {
  const { draft: _draft, ...rest } = input;
  return { ...rest, state: creationState(principal, input) };
}

/** A new record (thêm mới): the person at version 0 and their first change. */
export async function enterNewRecord(deps: ChangeWorkflowDeps, principal: Principal, input: ProposedChange, fullName: string): Promise<ChangeRow> {
  return createPersonWithChange(deps.db, principal, newChange(principal, input), fullName);
}

/** A change to an existing, approved record (an update, a status change, a move inside the province). */
export async function proposeChange(deps: ChangeWorkflowDeps, principal: Principal, input: ProposedChange): Promise<ChangeRow> {
  return createChange(deps.db, principal, newChange(principal, input));
}

/** May this caller see the change at all? Out of scope looks like missing, so ids cannot be probed. */
export function assertVisible(principal: Principal, change: Pick<ChangeRow, 'personalId' | 'agencyCode'>): void {
  const visible = principal.role === 'STAFF'
    ? principal.personalId === change.personalId
    : isWithinSubtree(change.agencyCode, principal.agencyCode);
  if (!visible) throw new GatewayError('CHANGE_NOT_FOUND');
}

/** The pure decision of one lifecycle step by a person: visibility, lifecycle, duties. */
export function decideStep(principal: Principal, current: ChangeRow, history: ChangeHistory, event: LifecycleEvent, reason?: string): Decision {
  assertVisible(principal, current);
  const state = applyTransition(current.state, event, principal.role, reason) as ChangeState;
  const duty = dutyOfEvent(event);
  if (duty) assertDuty(principal, duty, targetOf(current, history));
  return {
    state, reason: reason ?? null, action: `CHANGE_${event}`,
    ...(state === 'RETURNED' ? { patch: { returnReason: reason ?? null } } : {}),
  };
}

/** Submit, verify or return a change. */
export async function takeStep(deps: ChangeWorkflowDeps, principal: Principal, id: string, event: LifecycleEvent, reason?: string): Promise<ChangeRow> {
  return transitionChange(deps.db, principal, id, (current, history) => decideStep(principal, current, history, event, reason));
}

export interface ChangeEdit {
  /** New content from the current row (the caller validates and normalises it). */
  content(current: ChangeRow): Partial<ChangeContent>;
  reason?: string;
  attachments?: Decision['attachments'];
}

/** Edit a draft or returned change; it keeps its state until submitted. */
export async function editChange(deps: ChangeWorkflowDeps, principal: Principal, id: string, edit: ChangeEdit): Promise<ChangeRow> {
  return transitionChange(deps.db, principal, id, (current, history) => {
    assertVisible(principal, current);
    if (!isEditable(current.state)) throw new GatewayError('ILLEGAL_TRANSITION', { from: current.state, event: 'EDIT' });
    applyTransition(current.state, 'EDIT', principal.role);
    assertDuty(principal, 'EDIT', targetOf(current, history));
    return {
      state: current.state, action: 'CHANGE_EDIT', reason: edit.reason ?? null, ...(edit.attachments ? { attachments: edit.attachments } : {}),
      patch: { ...edit.content(current), ...(edit.reason !== undefined ? { reason: edit.reason.normalize('NFC') } : {}) },
    };
  });
}
