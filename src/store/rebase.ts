// The way out of a STALE_VERSION rejection, as stored: the rejected change stays as it is (final,
// signed), and a new change carries the same content rebased on the version the national side holds,
// so the province's approval gives it the next `phienBan` (approvals.ts: GREATEST(version, base) + 1).
// One transaction: checks, the new SUBMITTED change with copies of the supporting documents, its
// lifecycle event and the audit rows.
import type { Db } from './db.ts';
import { appendAudit } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChangeRow } from './changes.ts';

export interface RebaseInput {
  readonly changeId: string;
  /** The version the national side answered, verified (§5). */
  readonly nationalVersion: number;
  readonly holderCode: string;
  /** Hex SHA-256 of the pulled record document, as evidence of what the change was rebased on. */
  readonly nationalDocumentSha256: string;
  readonly differences: number;
  readonly reason: string;
  readonly now: Date;
}

/** The change must be a STALE_VERSION rejection and the person's latest change. */
export async function assertRebasable(db: Db, changeId: string): Promise<ChangeRow> {
  const change = await db.prisma.profileChange.findUnique({ where: { id: changeId } });
  if (!change) throw new GatewayError('CHANGE_NOT_FOUND', { id: changeId });
  if (change.state !== 'REJECTED_BY_NATIONAL' || change.rejectionCode !== 'STALE_VERSION') {
    throw new GatewayError('CHANGE_NOT_STALE', { state: change.state, rejectionCode: change.rejectionCode });
  }
  return change;
}

export async function createRebasedChange(db: Db, actor: Principal, input: RebaseInput): Promise<ChangeRow> {
  return db.prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM profile_change WHERE id = ${input.changeId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new GatewayError('CHANGE_NOT_FOUND', { id: input.changeId });
    const old = await tx.profileChange.findUniqueOrThrow({ where: { id: input.changeId }, include: { attachments: true } });
    if (old.state !== 'REJECTED_BY_NATIONAL' || old.rejectionCode !== 'STALE_VERSION') {
      throw new GatewayError('CHANGE_NOT_STALE', { state: old.state, rejectionCode: old.rejectionCode });
    }
    // The person's row serialises rebases of their changes with every other new change.
    await tx.$queryRaw`SELECT personal_id FROM person WHERE personal_id = ${old.personalId} FOR UPDATE`;
    const newer = await tx.profileChange.findFirst({
      where: { personalId: old.personalId, createdAt: { gt: old.createdAt }, id: { not: old.id } }, select: { id: true, state: true },
    });
    if (newer) throw new GatewayError('CHANGE_SUPERSEDED', { changeId: newer.id, state: newer.state });
    const open = await tx.profileChange.findFirst({
      where: { personalId: old.personalId, state: { notIn: ['SYNCED', 'REJECTED_BY_NATIONAL'] } }, select: { id: true, state: true },
    });
    if (open) throw new GatewayError('CHANGE_PENDING', { changeId: open.id, state: open.state });
    const now = input.now;
    // The national side holds the record: a new record's change becomes an update of it.
    const kind = old.kind === 'THEM_MOI' ? 'CAP_NHAT' : old.kind;
    const change = await tx.profileChange.create({
      data: {
        personalId: old.personalId, kind, state: 'SUBMITTED', agencyCode: old.agencyCode, category: old.category, status: old.status,
        managingAgencyCode: old.managingAgencyCode, employingAgencyCode: old.employingAgencyCode, effectiveDate: old.effectiveDate,
        profile: old.profile as never, contentSha256: old.contentSha256, baseVersion: input.nationalVersion, reason: input.reason,
        source: 'REBASE', createdBy: actor.subject, submittedAt: now,
        attachments: { create: old.attachments.map((a) => ({ name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256, bytes: a.bytes, storageKey: a.storageKey })) },
        events: { create: { fromState: null, toState: 'SUBMITTED', actor: actor.subject, reason: input.reason, at: now } },
      },
    });
    await appendAudit(tx, {
      actor: actor.subject, role: actor.role, action: 'CHANGE_REBASE', entityType: 'change', entityId: change.id, agencyCode: change.agencyCode,
      details: {
        personalId: old.personalId, rebasedFrom: old.id, kind, previousTargetVersion: old.targetVersion, nationalVersion: input.nationalVersion,
        holderCode: input.holderCode, nationalDocumentSha256: input.nationalDocumentSha256, differences: input.differences, attachments: old.attachments.length,
      },
    }, now);
    return change;
  });
}
