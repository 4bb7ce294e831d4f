// Grants in the database: each change of a grant and its audit row commit together; the row is locked while
// the caller's decision (src/services/grants.ts) runs, so two operators cannot act on a stale grant.
import type { Db, Tx } from './db.ts';
import { appendAudit } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import { grantsAfterMove, isReservedSubject, reservedSubject, type GrantState } from '../domain/grant-rules.ts';
import { EMPLOYED_STATUSES as EMPLOYED } from '../domain/pull-scope.ts';

export interface GrantRow {
  id: string;
  subject: string;
  role: string;
  agencyCode: string;
  personalId: string | null;
  state: string;
  validFrom: Date;
  validTo: Date | null;
  reason: string;
  requestedBy: string;
  grantedBy: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GrantActorRef {
  subject: string;
  role: string;
}

export interface NewGrant {
  subject: string;
  role: string;
  agencyCode: string;
  personalId: string | null;
  state: GrantState;
  validFrom: Date;
  validTo: Date | null;
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createGrant(db: Db, actor: GrantActorRef, g: NewGrant, now: Date): Promise<GrantRow> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.accessGrant.create({ data: { ...g, requestedBy: actor.subject, grantedBy: g.state === 'ACTIVE' ? actor.subject : null } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: `GRANT_${g.state === 'ACTIVE' ? 'GRANT' : 'REQUEST'}`, entityType: 'grant',
      entityId: row.id, agencyCode: row.agencyCode, details: auditDetails(row, g.reason) }, now);
    return row;
  });
}

export type GrantPatch = Partial<Pick<GrantRow, 'state' | 'validTo' | 'agencyCode' | 'grantedBy' | 'revokedBy' | 'revokeReason'>>;

/** Locks the grant, asks `decide` for the patch (it throws to refuse: nothing is written), applies it, audits it. */
export async function changeGrant(db: Db, actor: GrantActorRef, id: string, action: string, reason: string, now: Date,
  decide: (current: GrantRow) => GrantPatch): Promise<GrantRow> {
  if (!UUID.test(id)) throw new GatewayError('GRANT_NOT_FOUND', { id });
  return db.prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM access_grant WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new GatewayError('GRANT_NOT_FOUND', { id });
    const current = await tx.accessGrant.findUniqueOrThrow({ where: { id } });
    const patch = decide(current);
    const row = await tx.accessGrant.update({ where: { id }, data: patch });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: `GRANT_${action}`, entityType: 'grant', entityId: id,
      agencyCode: row.agencyCode, details: { ...auditDetails(row, reason), before: { state: current.state, validTo: current.validTo?.toISOString() ?? null, agencyCode: current.agencyCode } } }, now);
    return row;
  });
}

function auditDetails(row: GrantRow, reason: string) {
  return { subject: row.subject, role: row.role, agencyCode: row.agencyCode, state: row.state, validFrom: row.validFrom.toISOString(),
    validTo: row.validTo?.toISOString() ?? null, reason };
}

export async function getGrant(db: Db, id: string): Promise<GrantRow | null> {
  return UUID.test(id) ? db.prisma.accessGrant.findUnique({ where: { id } }) : null;
}

/**
 * Grants of a subject that may be in force (the caller checks the period against its clock). A placeholder
 * subject holds none: a reservation works only once bound to a real SSO account.
 */
export async function activeGrantsOf(db: Db, subject: string): Promise<GrantRow[]> {
  if (isReservedSubject(subject)) return [];
  return db.prisma.accessGrant.findMany({ where: { subject, state: 'ACTIVE' }, orderBy: { createdAt: 'asc' } });
}

export async function listGrants(db: Db, f: { agencyRoot: string; subject?: string | undefined; state?: string | undefined; limit: number }): Promise<GrantRow[]> {
  return db.prisma.accessGrant.findMany({
    where: {
      OR: [{ agencyCode: f.agencyRoot }, { agencyCode: { startsWith: `${f.agencyRoot}.` } }],
      ...(f.subject ? { subject: f.subject } : {}),
      ...(f.state ? { state: f.state } : {}),
    },
    orderBy: { createdAt: 'asc' }, take: f.limit,
  });
}

/**
 * Inside the province approval's transaction: the grants of each person whose record it approves follow
 * the record (grant-rules.ts `grantsAfterMove`), revoked or granted as SYSTEM, each audited. A person in
 * `movedIn` (approved at another employing agency than before) who has no account yet gets a STAFF grant
 * reserved for their personal id, bound to their SSO account at their first sign-in (`bindReservedGrants`).
 */
export async function followGrantsOfPersons(tx: Tx, personalIds: readonly string[], now: Date, movedIn: ReadonlySet<string> = new Set()): Promise<void> {
  if (personalIds.length === 0) return;
  const persons = await tx.person.findMany({ where: { personalId: { in: [...personalIds] } }, select: { personalId: true, employingAgencyCode: true, status: true } });
  for (const p of persons) {
    const accounts = await tx.accessGrant.findMany({ where: { personalId: p.personalId, role: 'STAFF', state: 'ACTIVE' }, select: { subject: true } });
    if (accounts.length === 0) {
      if (movedIn.has(p.personalId) && EMPLOYED.includes(p.status)) {
        const reason = `Hồ sơ ${p.personalId} được phê duyệt tại ${p.employingAgencyCode}: quyền trên hồ sơ của chính mình, chờ đăng nhập lần đầu`;
        const row = await tx.accessGrant.create({ data: { subject: reservedSubject(p.personalId), role: 'STAFF', agencyCode: p.employingAgencyCode,
          personalId: p.personalId, state: 'ACTIVE', validFrom: now, validTo: null, reason, requestedBy: 'system', grantedBy: 'system' } });
        await appendAudit(tx, { actor: 'system', role: 'SYSTEM', action: 'GRANT_GRANT', entityType: 'grant', entityId: row.id, agencyCode: row.agencyCode,
          details: { ...auditDetails(row, reason), cause: 'MOVED_IN_RESERVED' } }, now);
      }
      continue;
    }
    const held = await tx.accessGrant.findMany({ where: { subject: { in: accounts.map((a) => a.subject) }, state: 'ACTIVE' } });
    const plan = grantsAfterMove(held, p.personalId, { employingAgencyCode: p.employingAgencyCode, inService: EMPLOYED.includes(p.status) });
    const reason = `Hồ sơ ${p.personalId} được phê duyệt tại ${p.employingAgencyCode} (${p.status})`;
    for (const id of plan.revoke) {
      const row = await tx.accessGrant.update({ where: { id }, data: { state: 'REVOKED', revokedBy: 'system', revokeReason: reason } });
      await appendAudit(tx, { actor: 'system', role: 'SYSTEM', action: 'GRANT_REVOKE', entityType: 'grant', entityId: id, agencyCode: row.agencyCode,
        details: { ...auditDetails(row, reason), cause: 'RECORD_MOVED' } }, now);
    }
    for (const subject of plan.staffFor) {
      const row = await tx.accessGrant.create({ data: { subject, role: 'STAFF', agencyCode: p.employingAgencyCode, personalId: p.personalId, state: 'ACTIVE',
        validFrom: now, validTo: null, reason, requestedBy: 'system', grantedBy: 'system' } });
      await appendAudit(tx, { actor: 'system', role: 'SYSTEM', action: 'GRANT_GRANT', entityType: 'grant', entityId: row.id, agencyCode: row.agencyCode,
        details: { ...auditDetails(row, reason), cause: 'RECORD_MOVED' } }, now);
    }
  }
}

/**
 * At a person's first sign-in: the STAFF grants reserved for their personal id (the SSO vouches for it in the
 * OIDC_PERSONAL_ID_CLAIM claim) become grants of their SSO subject, each audited. Returns how many.
 */
export async function bindReservedGrants(db: Db, subject: string, personalId: string, now: Date): Promise<number> {
  return db.prisma.$transaction(async (tx) => {
    const reserved = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id::text FROM access_grant WHERE subject = ${reservedSubject(personalId)} AND personal_id = ${personalId} AND state = 'ACTIVE' FOR UPDATE`;
    for (const { id } of reserved) {
      const row = await tx.accessGrant.update({ where: { id }, data: { subject } });
      await appendAudit(tx, { actor: subject, role: 'STAFF', action: 'GRANT_BIND', entityType: 'grant', entityId: id, agencyCode: row.agencyCode,
        details: { ...auditDetails(row, 'Đăng nhập lần đầu bằng tài khoản dùng chung của tỉnh'), before: { subject: reservedSubject(personalId) } } }, now);
    }
    return reserved.length;
  });
}
