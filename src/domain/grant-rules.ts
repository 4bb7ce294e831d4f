// Grants (issue 13; seeds 000, 001, 004: Sở Nội vụ "cấp, hạn chế, mở rộng hoặc hủy quyền truy cập"): the SSO
// says who someone is, a grant stored in the gateway says what they may do — (subject, role, agency, valid
// from/to, granted by, reason). This table says who may take which action on which grant:
//   - Sở Nội vụ's PROVINCE_OPERATOR grants, limits, extends and revokes any grant of the province, except
//     ADMIN grants and grants to themselves;
//   - ADMIN does the same only for Sở Nội vụ itself (its operators and administrators), never to themselves;
//   - an AGENCY_HEAD may REQUEST grants for their subtree (STAFF, UNIT_OFFICER), which an operator then grants;
//   - nobody acts on a grant of their own subject (no one raises their own authority).
// Pure: the caller gathers the facts and asks.

import { isWithinSubtree } from './agency-code.ts';

export const GRANT_ROLES = ['STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

export const GRANT_ACTIONS = ['REQUEST', 'GRANT', 'LIMIT', 'EXTEND', 'REVOKE'] as const;
export type GrantAction = (typeof GRANT_ACTIONS)[number];

export const GRANT_STATES = ['REQUESTED', 'ACTIVE', 'REVOKED'] as const;
export type GrantState = (typeof GRANT_STATES)[number];

/** Where the actor's authority over grants reaches. */
type Reach = 'PROVINCE' | 'SO_NOI_VU' | 'SUBTREE' | 'NONE';

interface GrantDuty {
  /** Reach per acting role (absent: the role may not take the action). */
  readonly reach: Partial<Record<GrantRole, Reach>>;
  /** Roles that may be the object of the action. */
  readonly grantable: readonly GrantRole[];
}

const manage = { reach: { PROVINCE_OPERATOR: 'PROVINCE', ADMIN: 'SO_NOI_VU' }, grantable: GRANT_ROLES } as const;

/** THE table. "GRANT: a PROVINCE_OPERATOR anywhere in the province, an ADMIN inside Sở Nội vụ". */
export const GRANT_DUTIES: Readonly<Record<GrantAction, GrantDuty>> = {
  REQUEST: { reach: { AGENCY_HEAD: 'SUBTREE', PROVINCE_OPERATOR: 'PROVINCE' }, grantable: ['STAFF', 'UNIT_OFFICER'] },
  GRANT: manage,
  LIMIT: manage,
  EXTEND: manage,
  REVOKE: manage,
};

/** Which states each action starts from. */
export const GRANT_FROM: Readonly<Record<GrantAction, readonly (GrantState | null)[]>> = {
  REQUEST: [null],
  GRANT: [null, 'REQUESTED'],
  LIMIT: ['ACTIVE'],
  EXTEND: ['ACTIVE'],
  REVOKE: ['REQUESTED', 'ACTIVE'],
};

export interface GrantActor {
  readonly subject: string;
  readonly role: string;
  readonly agencyCode: string;
}

export interface GrantTarget {
  readonly subject: string;
  readonly role: GrantRole;
  readonly agencyCode: string;
  readonly state: GrantState | null;
}

export interface GrantSettings {
  /** Agency code of Sở Nội vụ (SENDER_CODE). */
  readonly soNoiVuCode: string;
  readonly provinceCode: string;
}

export type GrantViolation =
  | 'ROLE_MAY_NOT'
  | 'OUT_OF_SCOPE'
  | 'ROLE_NOT_GRANTABLE'
  | 'OWN_GRANT'
  | 'ADMIN_ONLY_BY_ADMIN'
  | 'ILLEGAL_STATE';

function within(reach: Reach, actor: GrantActor, agencyCode: string, s: GrantSettings): boolean {
  if (reach === 'PROVINCE') return isWithinSubtree(agencyCode, s.provinceCode) && isWithinSubtree(actor.agencyCode, s.soNoiVuCode);
  if (reach === 'SO_NOI_VU') return isWithinSubtree(agencyCode, s.soNoiVuCode);
  if (reach === 'SUBTREE') return isWithinSubtree(agencyCode, actor.agencyCode);
  return false;
}

/** The first rule the action would break, or null. */
export function grantViolation(actor: GrantActor, action: GrantAction, target: GrantTarget, s: GrantSettings): GrantViolation | null {
  const duty = GRANT_DUTIES[action];
  const reach = duty.reach[actor.role as GrantRole];
  if (!reach) return 'ROLE_MAY_NOT';
  if (!duty.grantable.includes(target.role)) return 'ROLE_NOT_GRANTABLE';
  // ADMIN grants are the keys of the system: only an ADMIN (of Sở Nội vụ) hands them out or takes them back.
  if (target.role === 'ADMIN' && actor.role !== 'ADMIN') return 'ADMIN_ONLY_BY_ADMIN';
  if (!within(reach, actor, target.agencyCode, s)) return 'OUT_OF_SCOPE';
  if (target.subject === actor.subject) return 'OWN_GRANT';
  if (!GRANT_FROM[action].includes(target.state)) return 'ILLEGAL_STATE';
  return null;
}

/** Whether a grant confers its role now: active, started, not yet ended. */
export function grantInForce(g: { state: string; validFrom: Date; validTo: Date | null }, now: Date): boolean {
  return g.state === 'ACTIVE' && g.validFrom.getTime() <= now.getTime() && (g.validTo === null || now.getTime() < g.validTo.getTime());
}

export interface HeldGrant {
  readonly id: string;
  readonly subject: string;
  readonly role: string;
  readonly agencyCode: string;
  readonly personalId: string | null;
  readonly state: string;
}

/**
 * What becomes of a person's grants when the province approves their record at a (new) agency and status
 * (seeds: the releasing agency revokes access when a person is transferred out). The person's accounts are
 * the subjects holding a STAFF grant on their record. Every ACTIVE grant of those accounts that does not cover
 * the new employing agency is revoked — all of them when the person left service; an account still in service
 * without a STAFF grant covering the new agency gets one (a transferred-in person keeps their own record).
 */
export function grantsAfterMove(held: readonly HeldGrant[], personalId: string, to: { employingAgencyCode: string; inService: boolean }):
  { revoke: string[]; staffFor: string[] } {
  const active = held.filter((g) => g.state === 'ACTIVE');
  const accounts = [...new Set(active.filter((g) => g.role === 'STAFF' && g.personalId === personalId).map((g) => g.subject))];
  const covers = (g: HeldGrant) => to.inService && isWithinSubtree(to.employingAgencyCode, g.agencyCode);
  const revoke = active.filter((g) => accounts.includes(g.subject) && !covers(g)).map((g) => g.id);
  const staffFor = to.inService
    ? accounts.filter((s) => !active.some((g) => g.subject === s && g.role === 'STAFF' && g.personalId === personalId && covers(g)))
    : [];
  return { revoke, staffFor };
}

/**
 * A STAFF grant reserved for a person whose SSO account the gateway does not know yet (a transferred-in person
 * with no account): it stands under this placeholder subject, which no SSO subject may be granted under, until
 * the person's first sign-in binds it to their account (OIDC_PERSONAL_ID_CLAIM).
 */
const RESERVED_PREFIX = 'personal-id:';
export const reservedSubject = (personalId: string): string => `${RESERVED_PREFIX}${personalId}`;
export const isReservedSubject = (subject: string): boolean => subject.startsWith(RESERVED_PREFIX);
