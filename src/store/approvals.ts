// Signed approvals. Recording one is a single transaction: lock every listed change, check each still
// stands exactly as the manifest lists it (state and content hash), store the approval with its evidence,
// and move the changes on. A change edited after the manifest was made makes the whole approval stale.
import type { Db, Tx } from './db.ts';
import { followGrantsOfPersons } from './grants.ts';
import { appendAudit } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { ApprovalLevel, ChangeState, Prisma as P } from '../generated/prisma/client.ts';
import { staleItems, type ManifestItem } from '../domain/approval-manifest.ts';
import { changeSourceOf } from '../transfer/transfer-states.ts';

/** Which state a change must be in to be approved at each level, and where approval takes it. */
export const approvalSteps: Record<ApprovalLevel, { from: ChangeState; to: ChangeState }> = {
  CO_QUAN: { from: 'VERIFIED', to: 'AGENCY_APPROVED' },
  SO_NOI_VU: { from: 'AGENCY_APPROVED', to: 'PROVINCE_APPROVED' },
};

export interface EligibleChange extends ManifestItem {
  agencyCode: string;
  /** Subject who created the change, and who verified it (separation of duties). */
  createdBy: string;
  verifiedBy: string | null;
  coQuanApprovedSha256: string | null;
}

/**
 * Changes waiting for approval at `level` inside `agencyRoot`. For Sở Nội vụ, only changes of `period`
 * whose agency approval covered their current content.
 *
 * One SQL statement on the pg pool (the latest agency approval per change as a correlated subquery):
 * Prisma's findMany with the nested approvals relation sends every change id back as an IN list and
 * materialises every row through its wasm client, which does not finish for a province's 250,000 changes.
 */
export async function listEligible(db: Db, level: ApprovalLevel, agencyRoot: string, period?: string, limit = 100_000): Promise<EligibleChange[]> {
  const step = approvalSteps[level];
  const { rows } = await db.pool.query<EligibleChange>(`
    SELECT c.id AS "changeId", c.personal_id AS "personalId", c.content_sha256 AS "contentSha256", c.agency_code AS "agencyCode",
      c.created_by AS "createdBy",
      (SELECT e.actor FROM change_event e WHERE e.change_id = c.id AND e.to_state = 'VERIFIED' ORDER BY e.id DESC LIMIT 1) AS "verifiedBy",
      (SELECT i.content_sha256 FROM approval_item i JOIN approval a ON a.id = i.approval_id
        WHERE i.change_id = c.id AND a.level = 'CO_QUAN' ORDER BY a.created_at DESC LIMIT 1) AS "coQuanApprovedSha256"
    FROM profile_change c
    WHERE c.state = $1::"ChangeState" AND (c.agency_code = $2 OR left(c.agency_code, length($2) + 1) = $2 || '.')
      AND ($3::text IS NULL OR c.period = $3)
    ORDER BY c.id LIMIT $4`, [step.from, agencyRoot, level === 'SO_NOI_VU' && period ? period : null, limit]);
  return rows;
}

export interface ApprovalEvidence {
  level: ApprovalLevel;
  agencyCode: string;
  period: string;
  manifest: Uint8Array<ArrayBuffer>;
  manifestSha256: string;
  cms: Uint8Array<ArrayBuffer>;
  signerCertificate: Uint8Array<ArrayBuffer>;
  signerSerial: string;
  signerSubject: string;
  signingTime: Date;
  timeStampToken: Uint8Array<ArrayBuffer> | null;
  revocationEvidence: P.InputJsonValue | null;
  delegationId: string | null;
  windowOverride: boolean;
  overrideReason: string | null;
  items: ManifestItem[];
  /** The two-step session this signature completes: used up in the same transaction. */
  sessionId?: string;
}

/** Locks the listed changes (in id order, so two approvals never deadlock) and reads what the manifest is checked against. */
async function lockChanges(tx: Tx, ids: string[]) {
  return tx.$queryRaw<Array<{ id: string; state: ChangeState; contentSha256: string }>>`
    SELECT id::text AS id, state::text AS state, content_sha256 AS "contentSha256"
    FROM profile_change WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
}

/**
 * Stores the approval and moves every listed change on, or changes nothing (MANIFEST_STALE).
 * Set-based: the items, the state change and the lifecycle events are one statement each (unnest of the
 * id and hash arrays), whatever the number of changes; Prisma's createMany costs ~0.55 ms a row and
 * does not finish for a province-wide approval (STACK.md §f).
 */
export async function recordApproval(db: Db, actor: Principal, e: ApprovalEvidence): Promise<{ approvalId: string; count: number }> {
  const step = approvalSteps[e.level];
  return db.prisma.$transaction(async (tx) => {
    const ids = e.items.map((i) => i.changeId);
    const current = await lockChanges(tx, ids);
    const byId = new Map(current.map((c) => [c.id, { contentSha256: c.contentSha256, eligible: c.state === step.from }]));
    const stale = staleItems(e.items, byId);
    if (stale.length > 0) throw new GatewayError('MANIFEST_STALE', { changes: stale.map((s) => s.changeId).slice(0, 100), count: stale.length });
    if (e.level === 'SO_NOI_VU') await assertAgencyApprovalCovers(tx, ids);
    if (e.sessionId) {
      const used = await tx.signingSession.updateMany({ where: { id: e.sessionId, completedAt: null }, data: { completedAt: db.clock.now() } });
      if (used.count !== 1) throw new GatewayError('SIGNING_SESSION_NOT_FOUND', { id: e.sessionId, reason: 'ALREADY_COMPLETED' });
    }
    const approval = await tx.approval.create({
      data: {
        level: e.level, agencyCode: e.agencyCode, period: e.period, manifest: e.manifest, manifestSha256: e.manifestSha256, cms: e.cms,
        signerCertificate: e.signerCertificate, signerSerial: e.signerSerial, signerSubject: e.signerSubject, signingTime: e.signingTime,
        timeStampToken: e.timeStampToken, revocationEvidence: e.revocationEvidence ?? undefined, approvedBy: actor.subject,
        delegationId: e.delegationId, windowOverride: e.windowOverride, overrideReason: e.overrideReason,
      },
      select: { id: true },
    });
    await tx.$executeRaw`
      INSERT INTO approval_item (approval_id, change_id, content_sha256)
      SELECT ${approval.id}::uuid, i.change_id, i.content_sha256
      FROM unnest(${ids}::uuid[], ${e.items.map((i) => i.contentSha256)}::text[]) AS i(change_id, content_sha256)`;
    const now = db.clock.now();
    if (e.level === 'CO_QUAN') {
      await tx.$executeRaw`
        UPDATE profile_change SET state = 'AGENCY_APPROVED', period = ${e.period}, agency_approved_at = ${now}, updated_at = ${now}
        WHERE id = ANY(${ids}::uuid[])`;
    } else {
      await applyProvinceApproval(tx, ids, now);
    }
    await tx.$executeRaw`
      INSERT INTO change_event (change_id, from_state, to_state, actor, at)
      SELECT id, ${step.from}::"ChangeState", ${step.to}::"ChangeState", ${actor.subject}, ${now} FROM unnest(${ids}::uuid[]) AS id`;
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: `APPROVE_${e.level}`, entityType: 'approval', entityId: approval.id,
      agencyCode: e.agencyCode, details: { period: e.period, count: ids.length, manifestSha256: e.manifestSha256, signerSerial: e.signerSerial,
        delegationId: e.delegationId, windowOverride: e.windowOverride, overrideReason: e.overrideReason } }, now);
    return { approvalId: approval.id, count: ids.length };
  }, { timeout: 120_000 });
}

/** An agency head's approval counts only for the exact content it signed: an edit since then voids it. */
async function assertAgencyApprovalCovers(tx: Tx, ids: string[]): Promise<void> {
  const uncovered = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT c.id FROM profile_change c WHERE c.id = ANY(${ids}::uuid[]) AND NOT EXISTS (
      SELECT 1 FROM approval_item i JOIN approval a ON a.id = i.approval_id
      WHERE a.level = 'CO_QUAN' AND i.change_id = c.id AND i.content_sha256 = c.content_sha256)`;
  if (uncovered.length > 0) {
    throw new GatewayError('MANIFEST_STALE', { reason: 'AGENCY_APPROVAL_DOES_NOT_COVER_CONTENT', changes: uncovered.map((u) => u.id).slice(0, 100) });
  }
}

/**
 * Sở Nội vụ's approval makes the change the person's approved record: the profile, status and agencies
 * move onto the person and its version grows by one; the change keeps that version for the batch.
 * A record imported from the national side carries the national version as its base, so its first
 * approved version here is newer than the one the national side holds.
 */
async function applyProvinceApproval(tx: Tx, ids: string[], now: Date): Promise<void> {
  // Read before the record moves: who is approved at another employing agency than their record had, and
  // whose record came in from elsewhere (a §7 inbound transfer or a pull: its person row already names the
  // new agency, but the person is new here all the same).
  const movedIn = await tx.$queryRaw<Array<{ personal_id: string }>>`
    SELECT DISTINCT c.personal_id FROM profile_change c JOIN person p ON p.personal_id = c.personal_id
    WHERE c.id = ANY(${ids}::uuid[])
      AND (p.employing_agency_code IS DISTINCT FROM c.employing_agency_code OR c.source IN (${changeSourceOf('INBOUND')}, ${changeSourceOf('PULL')}))`;
  await tx.$executeRaw`
    WITH c AS (SELECT id, personal_id, category, status, managing_agency_code, employing_agency_code, profile, base_version FROM profile_change WHERE id = ANY(${ids}::uuid[]))
    UPDATE person p SET profile = c.profile, category = c.category, status = c.status,
      managing_agency_code = c.managing_agency_code, employing_agency_code = c.employing_agency_code,
      full_name = c.profile->>'HoTen', grade_code = c.profile->'Luong'->>'MaNgach', version = GREATEST(p.version, c.base_version) + 1, updated_at = ${now}
    FROM c WHERE p.personal_id = c.personal_id`;
  await tx.$executeRaw`
    UPDATE profile_change c SET state = 'PROVINCE_APPROVED', province_approved_at = ${now}, updated_at = ${now}, target_version = p.version
    FROM person p WHERE c.id = ANY(${ids}::uuid[]) AND p.personal_id = c.personal_id`;
  // Grants follow the approved record (moved out: revoked; moved in: a STAFF grant on their own record).
  const moved = await tx.$queryRaw<Array<{ personal_id: string }>>`SELECT DISTINCT personal_id FROM profile_change WHERE id = ANY(${ids}::uuid[])`;
  await followGrantsOfPersons(tx, moved.map((m) => m.personal_id), now, new Set(movedIn.map((m) => m.personal_id)));
}

export async function getApproval(db: Db, id: string) {
  return db.prisma.approval.findUnique({ where: { id }, include: { items: true } });
}

export async function listApprovals(db: Db, f: { agencyRoot: string; period?: string; limit: number }) {
  return db.prisma.approval.findMany({
    where: { OR: [{ agencyCode: f.agencyRoot }, { agencyCode: { startsWith: `${f.agencyRoot}.` } }], ...(f.period ? { period: f.period } : {}) },
    orderBy: { createdAt: 'desc' }, take: f.limit,
    select: { id: true, level: true, agencyCode: true, period: true, manifestSha256: true, signerSubject: true, signerSerial: true,
      signingTime: true, windowOverride: true, createdAt: true, _count: { select: { items: true } } },
  });
}

// ── delegations and window overrides ───────────────────────────────────────

export async function findActiveDelegation(db: Db, agencyCode: string, subject: string, at: Date) {
  return db.prisma.delegation.findFirst({
    where: { agencyCode, delegateSubject: subject, validFrom: { lte: at }, validTo: { gte: at }, revokedAt: null },
  });
}

export async function createDelegation(db: Db, actor: Principal, d: { agencyCode: string; delegateSubject: string; validFrom: Date; validTo: Date; decisionNo: string | null }) {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.delegation.create({ data: { ...d, createdBy: actor.subject } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'DELEGATION_CREATE', entityType: 'delegation', entityId: row.id,
      agencyCode: d.agencyCode, details: { delegateSubject: d.delegateSubject, validFrom: d.validFrom, validTo: d.validTo, decisionNo: d.decisionNo } }, db.clock.now());
    return row;
  });
}

export async function findWindowOverride(db: Db, agencyCode: string, period: string, at: Date) {
  return db.prisma.windowOverride.findFirst({ where: { agencyCode, period, validUntil: { gte: at } }, orderBy: { createdAt: 'desc' } });
}

export async function createWindowOverride(db: Db, actor: Principal, o: { agencyCode: string; period: string; reason: string; validUntil: Date }) {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.windowOverride.create({ data: { ...o, grantedBy: actor.subject } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'WINDOW_OVERRIDE', entityType: 'window-override', entityId: row.id,
      agencyCode: o.agencyCode, details: { period: o.period, reason: o.reason, validUntil: o.validUntil } }, db.clock.now());
    return row;
  });
}

// ── two-step signing sessions ──────────────────────────────────────────────

export async function createSigningSession(db: Db, actor: Principal, s: {
  level: ApprovalLevel; agencyCode: string; period: string; manifest: Uint8Array<ArrayBuffer>; signedAttrs: Uint8Array<ArrayBuffer>;
  certificate: Uint8Array<ArrayBuffer>; context: P.InputJsonValue; expiresAt: Date;
}) {
  return db.prisma.signingSession.create({ data: { ...s, purpose: `APPROVE_${s.level}`, createdBy: actor.subject } });
}

export async function getSigningSession(db: Db, id: string) {
  return db.prisma.signingSession.findUnique({ where: { id } });
}

/** Agencies with VERIFIED changes waiting for their head's signature, and how many. */
export async function pendingApprovalsByAgency(db: Db): Promise<Array<{ agencyCode: string; pending: number }>> {
  const rows = await db.prisma.profileChange.groupBy({ by: ['agencyCode'], where: { state: 'VERIFIED' }, _count: true, orderBy: { agencyCode: 'asc' } });
  return rows.map((r) => ({ agencyCode: r.agencyCode, pending: r._count }));
}
