// Use cases of grants: request, grant, limit, extend, revoke (each audited, src/store/grants.ts), and the
// authority check every authenticated request goes through: the SSO's token says who the caller is, an
// ACTIVE grant in force says what they may do. The token's role/agency claims only choose which grant the
// caller acts under; without one in force the request is refused (GRANT_REQUIRED), on the next request
// after a revocation or an expiry — no waiting for the token to expire.
import { GatewayError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { canonicalAgencyCode, isWithinSubtree } from '../domain/agency-code.ts';
import { assertPersonalIdFormat } from '../domain/personal-id.ts';
import {
  grantInForce, grantViolation, GRANT_ROLES, isReservedSubject, type GrantAction, type GrantRole, type GrantSettings, type GrantState, type GrantTarget,
} from '../domain/grant-rules.ts';
import type { Db } from '../store/db.ts';
import { getAgency } from '../store/agencies.ts';
import { activeGrantsOf, changeGrant, createGrant, type GrantRow } from '../store/grants.ts';

export interface GrantDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: GrantSettings;
}

export interface GrantInput {
  subject: string;
  role: string;
  agencyCode: string;
  personalId?: string | undefined;
  validFrom?: string | undefined;
  validTo?: string | undefined;
  reason: string;
}

/** Throws the stable code of a refusal; returns when the action is allowed. */
function assertGrantDuty(deps: GrantDeps, actor: Principal, action: GrantAction, target: GrantTarget): void {
  const rule = grantViolation(actor, action, target, deps.settings);
  if (rule === null) return;
  if (rule === 'OUT_OF_SCOPE') throw new GatewayError('OUT_OF_SCOPE', { rule, action, agencyCode: target.agencyCode, scope: actor.agencyCode });
  if (rule === 'ILLEGAL_STATE') throw new GatewayError('ILLEGAL_TRANSITION', { from: target.state, event: `GRANT_${action}` });
  if (rule === 'OWN_GRANT') throw new GatewayError('SEPARATION_OF_DUTIES', { rule, action });
  throw new GatewayError('FORBIDDEN', { rule, action, role: actor.role, targetRole: target.role });
}

function instant(value: string | undefined, field: string): Date | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new GatewayError('INVALID_VALUE', { field, reason: 'NOT_A_DATE_TIME' });
  return new Date(ms);
}

const targetOf = (g: GrantRow): GrantTarget => ({ subject: g.subject, role: g.role as GrantRole, agencyCode: g.agencyCode, state: g.state as GrantState });

/** An agency head requests (REQUESTED); Sở Nội vụ (or ADMIN for Sở Nội vụ) grants at once (ACTIVE). */
export async function grantAccess(deps: GrantDeps, actor: Principal, input: GrantInput): Promise<GrantRow> {
  if (!(GRANT_ROLES as readonly string[]).includes(input.role)) throw new GatewayError('INVALID_VALUE', { field: 'role', allowed: GRANT_ROLES });
  const agencyCode = canonicalAgencyCode(input.agencyCode);
  const role = input.role as GrantRole;
  // The placeholder subjects of reserved grants belong to the gateway, never to a grant made by hand.
  if (isReservedSubject(input.subject)) throw new GatewayError('INVALID_VALUE', { field: 'subject', reason: 'RESERVED_SUBJECT' });
  const action: GrantAction = actor.role === 'AGENCY_HEAD' ? 'REQUEST' : 'GRANT';
  assertGrantDuty(deps, actor, action, { subject: input.subject, role, agencyCode, state: null });
  if (role === 'STAFF') {
    if (input.personalId === undefined) throw new GatewayError('MISSING_FIELD', { field: 'personalId', reason: 'a STAFF grant is for the person’s own record' });
    assertPersonalIdFormat(input.personalId);
  }
  const now = deps.clock.now();
  const validFrom = instant(input.validFrom, 'validFrom') ?? now;
  const validTo = instant(input.validTo, 'validTo');
  if (validTo !== null && validTo.getTime() <= validFrom.getTime()) throw new GatewayError('INVALID_VALUE', { field: 'validTo', reason: 'NOT_AFTER_VALID_FROM' });
  if (!(await getAgency(deps.db, agencyCode))) throw new GatewayError('AGENCY_NOT_FOUND', { code: agencyCode });
  return createGrant(deps.db, actor, {
    subject: input.subject, role, agencyCode, personalId: role === 'STAFF' ? input.personalId! : null,
    state: action === 'REQUEST' ? 'REQUESTED' : 'ACTIVE', validFrom, validTo, reason: input.reason.normalize('NFC').trim(),
  }, now);
}

/** Sở Nội vụ grants what an agency head requested. */
export async function approveGrantRequest(deps: GrantDeps, actor: Principal, id: string, reason: string): Promise<GrantRow> {
  return changeGrant(deps.db, actor, id, 'GRANT', reason, deps.clock.now(), (g) => {
    assertGrantDuty(deps, actor, 'GRANT', targetOf(g));
    return { state: 'ACTIVE', grantedBy: actor.subject };
  });
}

/** Hạn chế: an earlier end, or a narrower agency (inside the current one). */
export async function limitGrant(deps: GrantDeps, actor: Principal, id: string, change: { validTo?: string; agencyCode?: string }, reason: string): Promise<GrantRow> {
  const now = deps.clock.now();
  const validTo = instant(change.validTo, 'validTo');
  const agencyCode = change.agencyCode === undefined ? undefined : canonicalAgencyCode(change.agencyCode);
  if (validTo === null && agencyCode === undefined) throw new GatewayError('MISSING_FIELD', { field: 'validTo|agencyCode' });
  if (agencyCode !== undefined && !(await getAgency(deps.db, agencyCode))) throw new GatewayError('AGENCY_NOT_FOUND', { code: agencyCode });
  return changeGrant(deps.db, actor, id, 'LIMIT', reason, now, (g) => {
    assertGrantDuty(deps, actor, 'LIMIT', targetOf(g));
    if (validTo !== null && (validTo.getTime() < now.getTime() || (g.validTo !== null && validTo.getTime() >= g.validTo.getTime()) || validTo.getTime() <= g.validFrom.getTime())) {
      throw new GatewayError('INVALID_VALUE', { field: 'validTo', reason: 'NOT_A_LIMIT' });
    }
    if (agencyCode !== undefined && (agencyCode === g.agencyCode || !isWithinSubtree(agencyCode, g.agencyCode))) {
      throw new GatewayError('INVALID_VALUE', { field: 'agencyCode', reason: 'NOT_INSIDE_CURRENT_AGENCY' });
    }
    return { ...(validTo !== null ? { validTo } : {}), ...(agencyCode !== undefined ? { agencyCode } : {}) };
  });
}

/** Mở rộng: a later end (or none). */
export async function extendGrant(deps: GrantDeps, actor: Principal, id: string, validToText: string | null, reason: string): Promise<GrantRow> {
  const validTo = validToText === null ? null : instant(validToText, 'validTo');
  return changeGrant(deps.db, actor, id, 'EXTEND', reason, deps.clock.now(), (g) => {
    assertGrantDuty(deps, actor, 'EXTEND', targetOf(g));
    if (g.validTo === null || (validTo !== null && validTo.getTime() <= g.validTo.getTime())) throw new GatewayError('INVALID_VALUE', { field: 'validTo', reason: 'NOT_AN_EXTENSION' });
    return { validTo };
  });
}

/** Hủy: the grant stops working on the caller's next request. */
export async function revokeGrant(deps: GrantDeps, actor: Principal, id: string, reason: string): Promise<GrantRow> {
  return changeGrant(deps.db, actor, id, 'REVOKE', reason, deps.clock.now(), (g) => {
    assertGrantDuty(deps, actor, 'REVOKE', targetOf(g));
    return { state: 'REVOKED', revokedBy: actor.subject, revokeReason: reason.normalize('NFC').trim() };
  });
}

/**
 * The principal a verified identity may act as: the grant in force of the claimed role whose agency contains
 * the claimed agency. A STAFF principal's own record comes from the grant, never from the token.
 */
export async function grantedPrincipal(db: Db, clock: Clock, claimed: Principal): Promise<Principal> {
  const now = clock.now();
  const grant = (await activeGrantsOf(db, claimed.subject)).find((g) =>
    grantInForce(g, now) && g.role === claimed.role && isWithinSubtree(claimed.agencyCode, g.agencyCode));
  if (!grant) throw new GatewayError('GRANT_REQUIRED', { role: claimed.role, agencyCode: claimed.agencyCode });
  return {
    subject: claimed.subject, role: grant.role as Role, agencyCode: claimed.agencyCode,
    ...(grant.personalId ? { personalId: grant.personalId } : {}),
    ...(claimed.name ? { name: claimed.name } : {}),
  };
}

/** A verifier whose principals carry only the authority their grants give them. */
export function withGrants(verify: TokenVerifier, db: Db, clock: Clock): TokenVerifier {
  return async (token) => grantedPrincipal(db, clock, await verify(token));
}

/** `AUTH_AUTHORITY`, with its default: grants, or claims in development mode. */
export function effectiveAuthority(config: { authAuthority: 'grants' | 'claims' | ''; authDevMode: boolean }): 'grants' | 'claims' {
  return config.authAuthority || (config.authDevMode ? 'claims' : 'grants');
}

/** The principal of a console session under grants: the subject's first grant in force (GRANT_REQUIRED without one). */
export async function principalOfSubject(db: Db, clock: Clock, subject: string, name?: string): Promise<Principal> {
  const now = clock.now();
  const grant = (await activeGrantsOf(db, subject)).find((g) => grantInForce(g, now));
  if (!grant) throw new GatewayError('GRANT_REQUIRED', { subject });
  return {
    subject, role: grant.role as Role, agencyCode: grant.agencyCode,
    ...(grant.personalId ? { personalId: grant.personalId } : {}), ...(name ? { name } : {}),
  };
}
